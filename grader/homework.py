"""The plugin API for homework authors: everything a homework package imports, in one place.

The homework's structure (`Homework`, `Problem`, `Item`, mistakes) comes from grader.core.homework;
each answer kind's options from the kind's own module in grader.checks (and the free-text rubric's
phrasing markers, `Piece` and `ClauseContrary`, from grader.text.rubric).
"""

from grader.checks.choice import Choice, ChoiceOptions
from grader.checks.equation import EquationOptions, FunctionName
from grader.checks.expression import ExpressionOptions, Variable
from grader.checks.number import NumberOptions
from grader.checks.shape import ShapeOptions
from grader.checks.text import Concept, TextOptions
from grader.core.homework import Carried, Homework, Item, Mistake, MistakeRule, Problem, SelfTest, Table
from grader.core.variant import Parameter, Variant
from grader.text.rubric import ClauseContrary, Piece

__all__ = [
    "Carried", "Choice", "ChoiceOptions", "ClauseContrary", "Concept", "EquationOptions", "ExpressionOptions",
    "FunctionName", "Homework", "Item", "Mistake", "MistakeRule", "NumberOptions", "Parameter", "Piece", "Problem",
    "SelfTest", "ShapeOptions", "Table", "TextOptions", "Variable", "Variant",
]
