"""The plugin API for homework authors: everything a homework package imports, in one place."""

from grader.core.homework import (
    Carried,
    Choice,
    ChoiceOptions,
    Concept,
    EquationOptions,
    ExpressionOptions,
    FunctionName,
    Homework,
    Item,
    Mistake,
    MistakeRule,
    NumberOptions,
    Problem,
    SelfTest,
    ShapeOptions,
    TextOptions,
    Variable,
)

__all__ = [
    "Carried", "Choice", "ChoiceOptions", "Concept", "EquationOptions", "ExpressionOptions", "FunctionName",
    "Homework", "Item", "Mistake", "MistakeRule", "NumberOptions", "Problem", "SelfTest", "ShapeOptions",
    "TextOptions", "Variable",
]
