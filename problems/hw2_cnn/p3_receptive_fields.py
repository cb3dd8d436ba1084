"""Problem 3: receptive fields and modern architectures.

Parameter counts are formulas built from the layer configurations, with kernel sizes and
channel counts as variables (grader's formula trees, so loading the plugin needs no sympy);
the receptive field of the stacked layers comes from the torch network analysis
(`reference_p3.py`), the effective size of a dilated kernel from the span of its taps.
Anticipated mistakes are computed by the same functions with one assumption changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from grader.homework import (
    ClauseContrary,
    Concept,
    ExpressionOptions,
    Item,
    Mistake,
    Problem,
    SelfTest,
    TextOptions,
    Variable,
)
from grader.math import tree
from grader.math.tree import Node

C, k, r = tree.Sym("C"), tree.Sym("k"), tree.Sym("r")


@dataclass(frozen=True)
class ConvConfig:
    """A square convolution with C input channels and `out`·C output channels, stride 1."""

    kernel: int
    dilation: int = 1
    out: int = 1


@dataclass(frozen=True)
class Setting:
    """Problem 3's numbers, which a variant changes: the lone large filter (and its output channels as a multiple of
    C), the stacked small filters, and the dilated kernel whose effective size is asked for."""

    single_kernel: int = 15
    single_out: int = 1
    stack_kernel: int = 3
    stack_depth: int = 3
    dilated_kernel: int = 3
    dilation: int = 2

    @property
    def single(self) -> tuple[ConvConfig, ...]:
        return (ConvConfig(self.single_kernel, out=self.single_out),)

    @property
    def stack(self) -> tuple[ConvConfig, ...]:
        return (ConvConfig(self.stack_kernel),) * self.stack_depth


# Problem 3 as it is without variants: one 15×15 layer, three stacked 3×3 layers, k = 3 and r = 2.
DEFAULT = Setting()
SINGLE_15 = DEFAULT.single
THREE_3x3 = DEFAULT.stack


def conv_params(config: ConvConfig, *, bias: bool = False) -> Node:
    """Weights of one convolution: one per kernel tap, input and output channel (dilation adds none)."""
    if config.out == 1:
        return tree.add(tree.mul(tree.number(config.kernel**2), C, C), C if bias else tree.ZERO)
    out = tree.mul(tree.number(config.out), C)
    return tree.add(tree.mul(tree.number(config.kernel**2 * config.out), C, C), out if bias else tree.ZERO)


def stack_params(configs: tuple[ConvConfig, ...], *, bias: bool = False) -> Node:
    """Weights of a stack of C→C convolutions."""
    return tree.add(*(conv_params(c, bias=bias) for c in configs))


def effective_kernel_size() -> Node:
    """Span of a k-tap kernel whose taps are r apart: from tap 0 to tap (k-1)·r, inclusive."""
    first_tap, last_tap = tree.ZERO, tree.mul(tree.add(k, tree.MINUS_ONE), r)
    return tree.add(last_tap, tree.neg(first_tap), tree.ONE)


def naive_field(configs: tuple[ConvConfig, ...]) -> int:
    """The wrong belief that stacked fields add kernel sizes (3 + 3 + 3 = 9)."""
    return sum(c.kernel for c in configs)


_C = Variable("C", ("c", "C_in", "C_out", "channels", "n_C", "D"), 1, 512, "channels")
_K = Variable("k", ("K", "kernel_size", "kernel", "f", "F"), 1, 11, "kernel size")
_R = Variable("r", ("d", "D", "dilation", "dilation_rate", "l"), 1, 6, "dilation rate")
IN_C = ExpressionOptions((_C,))
_BIAS_NOTE = "You counted the bias as well ({}); the item ignores it, but that is not an error of understanding."


def _with_bias(configs: tuple[ConvConfig, ...]) -> Mistake:
    with_bias = stack_params(configs, bias=True)
    return Mistake(tree.show(with_bias), 1.0, _BIAS_NOTE.format(tree.show(with_bias)))


_KR = tree.mul(k, r)  # "the kernel is stretched r times"

_RF = "receptive field"
# The field grows only with bigger kernels: neither depth nor downsampling would then grow it ("only by stacking
# layers and by larger kernels" is no such claim).
_ONLY_KERNELS = ("only_larger|only_bigger|just_larger|just_bigger|only_by_larger|only_by_bigger kernel*|filter*",
                 "only grow*|increas*|enlarg* larger|bigger kernel*|filter*")
# The field said to stay the same cancels what its own clause names ("pooling just reduces the size and the receptive
# field stays the same. So only by stacking layers …" keeps the layers).
_RF_SAME = ClauseContrary(f"{_RF} stay*|remain* same|constant")
# "what a neuron sees": the receptive field in plain words.
_SEES = "what|area|much|region see*|sees|view"
_GROW_DEEPER = Concept(
    "stack more convolutional layers (depth)", 0.5,
    # "more" written next to the layers: "more filters in each layer" is no deeper network
    ("more_layer*|more_conv*|additional_layer*|additional_conv*|extra_layer*|extra_conv*|multiple_layer*|"
     "multiple_conv*|several_layer*|several_conv*|many_layer*|many_conv*",
     "more|additional|extra|multiple|several 3x3|convolution*|convolutional|conv layer*",
     "stack*|add* layer|conv*", "deeper|depth",
     "increas* depth", "increas* number layer*", "layer* on top each other|another", "layer* in a row"),
    contrary=("fully_connected|dense|linear layer*", _RF_SAME,
              "add*|more|stack* layer* not chang*|affect*|increas*|grow*", f"depth not chang*|affect* {_RF}",
              *_ONLY_KERNELS,
              # a 1×1 convolution named where the layers are added: 1×1 layers see no further
              ClauseContrary("1x1|pointwise")))
_DOWNSAMPLE = Concept(
    "spatial downsampling: pooling or strided convolution", 0.5,
    ("pool*", "stride*|strided", "downsampl*|subsampl*", "reduc*|shrink* resolution|spatial|size|feature_map",
     "feature_map|map smaller|shrink*", "shrink*|reduc* image|map|feature*|input", "skip* pixel*", "step size 2|two", "biggest|max|maximum value block|window"),
    contrary=(f"downsampl*|pool*|strid* shrink*|reduc*|decreas* {_RF}",
              f"downsampl*|pool*|strid* not chang*|affect*|increas*|grow* {_RF}", _RF_SAME,
              f"downsampl*|pool*|strid* not chang*|affect*|increas*|grow* {_SEES}",
              "downsampl*|pool*|strid* only|just reduc*|shrink*|mak* size|resolution|map*|smaller", *_ONLY_KERNELS))
_DILATION = Concept(
    "dilated convolutions (also accepted)", 0.5,
    ("dilat*", "atrous", "gap*|hole*|spac* kernel|filter|tap*"))
_NOTHING_WRONG = "nothing go*|goes wrong|bad"
_GRADIENTS = Concept(
    "vanishing or exploding gradients", 0.5,
    ("vanish*|explod* gradient*", "gradient* vanish*|explod*|shrink*|small|tiny|disappear*|die|decay*|diminish*|"
     "blow*|huge|zero|nothing|grow*",
     "gradient* become|get small|tiny|zero|huge", "vanishing|exploding|exploding_gradient",
     "update*|signal* early|first layer* tiny|small|huge|vanish*|explod*",
     "reach*|arriv* early|first layer* tiny|small|huge|vanish*|explod*|die*|died|blow*|blown",
     "learning|error|training signal* weak*|small*|fade*|vanish*|disappear*|multipl*|die*|died|blow*|blown"),
    partial=("early|first|lower layer* not|barely|hardly|slowly learn*|train*|updat*|chang*",),
    contrary=("gradient* not|never vanish*|explod*", _NOTHING_WRONG,
              "already|complete*|fully|entirely solv*|fix*|prevent*|eliminat* vanish*|explod*|gradient*"))
_DEGRADATION = Concept(
    "degradation: accuracy gets worse / optimisation gets harder with depth", 0.5,
    ("degrad*", "accuracy|performance|error drop*|decreas*|saturat*|worse|worst|increase*|degrad*|higher|lower",
     "train* error|loss higher|increas*|worse", "worse|lower|higher accuracy|performance|error",
     "accuracy|performance|error|loss|result* go*|goes up|down", "result* worse", "more layer* worse",
     "deeper|deep|more_layers worse|higher_error|lower_accuracy|worse_accuracy", "shallow* better"),
    partial=("harder|difficult|hard to train|optimi*|converge", "train*|optimi* difficult|hard|harder|unstabl*",
             "difficult|hard|harder train*|optimi*", "optimi* problem|difficult*|harder"),
    # degradation is not overfitting (HOMEWORK.md): saying it is cancels the concept
    contrary=("depth|deeper always|only|just|simply help*|better|improv*", _NOTHING_WRONG, "overfit*"))
_DEEP_MISTAKES = (
    Concept("nothing completely solves training very deep plain networks", 0.25,
            ("complete*|fully|entirely solv*|fix*", "solv*|fix* complete*|fully|entirely", "arbitrarily deep")),
    Concept("ReLU does not saturate for large inputs", 0.25, ("relu saturat*",)),
    Concept("the receptive field outgrowing the image is not what goes wrong", 0.25,
            ("receptive field larger|bigger|exceed* than image|input",)),
)
_PARALLEL_SCALES = Concept(
    "parallel branches with 1×1, 3×3 and 5×5 filters capture several scales", 0.4,
    ("parallel", "side by side", "multi_scale|multiscale branch*|filter*|conv*",
     "parallel|multiple|several|different|various|four|three|separate branch*",
     "different|multiple|several|various kernel|filter|window size|sizes",
     "different|multiple|several|various size* filter*|kernel*|window*",
     "different|multiple|several|various kernel|filter|window", "1x1 3x3 5x5", "3x3 5x5",
     "small* medium|large*|big* filter|window|kernel"),
    contrary=("one after another|other", "sequential*", "in series|sequence", "consecutive*|successive*",
              "output 1x1 feeds|fed 3x3", "same kernel|filter|window size", "not|never parallel|side_by_side"))
_CONCATENATE = Concept(
    "the outputs concatenate along the channels", 0.15,
    ("concat*", "stack* channel|depth|along|top", "glu*|stuck|put|join* together|channel*|depth",
     "stack*|combin*|merg*|join* result*|output*"),
    contrary=("one after another|other", "sequential*", "in series|sequence", "averag*", "add* together|element_wise", "summed|summing|sum_up",
              "element_wise|elementwise"))
_SAME_SIZE = Concept(
    "padding keeps the spatial sizes equal", 0.15,
    ("padding|pad|padded same|equal|keep* size|dimension|resolution|height|width|h|hxw",
     "same spatial size|dimension|height|resolution", "same h|hxw|height width", "size* match",
     "same size|dimension output*|branch*", "same padding", "padding|pad|padded size same"),
    contrary=("different output|spatial size*",))
_BOTTLENECK = Concept(
    "1×1 convolutions as bottlenecks reduce the channels and the cost", 0.3,
    ("1x1|pointwise|point_wise|1_pixel reduc*|bottleneck|cheap*|cost|compress*|squeez*|shrink*|before|first",
     "bottleneck*",
     "reduc*|decreas*|fewer|less|compress*|squeez*|shrink* channel|depth|dimension|feature_map",
     "dimensionality|dimension reduction", "number channel* down"),
    contrary=("1x1|pointwise reduc*|shrink*|decreas* spatial|height|width|resolution|spatial_size",
              "reduc*|shrink*|decreas* spatial resolution|size|dimension", "1x1|pointwise add*|increas*|rais* cost|computation",
              "more expensive|costly", "1x1|pointwise increas* channel*|depth|number",
              "not|never chang*|reduc* channel*|depth|number_of_channels", "shrink*|reduc*|decreas* height|width|hxw"))

_COUNT = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


def _computed_items(setting: Setting) -> dict[str, Item]:
    """The items whose numbers a variant changes, with its numbers in their prompts and anticipated mistakes."""
    big, n, small = setting.single_kernel, _COUNT[setting.stack_depth], setting.stack_kernel
    out = "C" if setting.single_out == 1 else f"{setting.single_out}C"
    nine = ConvConfig(naive_field(setting.stack))
    wide, dk, dr = nine.kernel, setting.dilated_kernel, setting.dilation
    items = (
        Item("p3.a.ii.params_15x15", "expression", 2,
             f"Parameters of one {big}×{big} convolution with C input and {out} output channels (ignore bias).", IN_C,
             mistakes=(_with_bias(setting.single),)),
        Item("p3.a.ii.rf_three_3x3", "number", 2,
             f"Receptive field (side length) of {n} stacked {small}×{small} convolutions, stride 1.",
             mistakes=(Mistake(str(naive_field(setting.stack)), 0.0,
                               f"Receptive fields do not add kernel sizes: each {small}×{small} layer (stride 1) widens "
                               f"the field by k − 1 = {small - 1} pixels, starting from 1."),)),
        Item("p3.a.ii.params_three_3x3", "expression", 2,
             f"Parameters of those {n} stacked {small}×{small} layers, C→C channels each (ignore bias).", IN_C,
             mistakes=(_with_bias(setting.stack),
                       Mistake(tree.show(conv_params(setting.stack[0])), 0.0,
                               f"That is one {small}×{small} layer; the item asks for all {n} stacked layers."))),
        Item("p3.a.ii.params_single_same_rf", "expression", 2,
             f"Parameters of a single convolution with the same receptive field as the {n} stacked {small}×{small} "
             "layers (ignore bias).", IN_C,
             mistakes=(Mistake(tree.show(conv_params(nine)), 0.0,
                               f"That is a {wide}×{wide} filter, but {n} stacked {small}×{small} convolutions do not "
                               f"see {wide}×{wide}: recompute their receptive field (each layer adds k − 1)."),)),
        Item("p3.b.ii.effective_size_k3_r2", "number", 1, f"Its value for k = {dk}, r = {dr}.",
             mistakes=(Mistake(tree.show(tree.substitute(_KR, {"k": dk, "r": dr})), 0.0,
                               f"{dk} × {dr} = {dk * dr} multiplies the size by the dilation; count the pixels the "
                               f"{_COUNT[dk]} taps, {dr} apart, actually span."),)),
    )
    return {item.id: item for item in items}


_COMPUTED = frozenset({"number", "expression", "shape", "equation"})


def _with_sheet(items: tuple[Item, ...], sheet: tuple[Item, ...]) -> tuple[Item, ...]:
    """Each text item with the prompts of the computed items of its question part as context (p3.a.i beside
    p3.a.ii's): an answer copying the sheet ("the receptive field of three stacked 3×3 convolutions is 7×7")
    answers nothing."""
    def part(item_id: str) -> str:
        return ".".join(item_id.split(".")[:2])

    def prompts(item: Item) -> str:
        return " ".join(i.prompt for i in sheet if i.kind in _COMPUTED and part(i.id) == part(item.id))

    return tuple(replace(i, options=replace(i.options, context=f"{i.options.context} {prompts(i)}".strip()))
                 if i.kind == "text" else i for i in items)


ORDER = ("p3.a.i", "p3.a.ii.params_15x15", "p3.a.ii.rf_three_3x3", "p3.a.ii.params_three_3x3",
         "p3.a.ii.params_single_same_rf", "p3.a.iii", "p3.b.i", "p3.b.ii.effective_size",
         "p3.b.ii.effective_size_k3_r2", "p3.b.ii.extra_params")


# The items every variant asks alike, built once: the same objects in every variant, so what grading remembers
# of them (compiled rubrics, checked answers) serves the whole class. Their context is the default sheet's: the
# words a copied prompt shares with a variant's are the same but for its numbers.
_FIXED_ITEMS: tuple[Item, ...] = (
    Item("p3.a.i", "text", 3, "Name two ways a plain sequential CNN (VGG-style) grows its receptive field.",
         TextOptions((_GROW_DEEPER, _DOWNSAMPLE, _DILATION),
                     # what skip connections, normalisation or invariance do answers other questions
                     about=("receptive|field|rf|see*|sees|view|context|region|area|reach*",),
                     elsewhere=("skip_connection*|residual|shortcut*|resnet*", "batch normali*", "translation invarian*", "overfit*"))),
    Item("p3.a.iii", "text", 3, "What goes wrong when a plain network is made very deep?",
         TextOptions((_GRADIENTS, _DEGRADATION), misconceptions=_DEEP_MISTAKES)),
    Item("p3.b.i", "text", 3, "Explain how an Inception module captures several scales and keeps the cost down.",
         TextOptions((_PARALLEL_SCALES, _CONCATENATE, _SAME_SIZE, _BOTTLENECK))),
    Item("p3.b.ii.effective_size", "expression", 1.5,
         "Effective kernel size of a k×k convolution with dilation rate r.", ExpressionOptions((_K, _R)),
         mistakes=(Mistake(tree.show(_KR), 0.0,
                           "Dilation does not multiply the size: it puts r − 1 gaps between neighbouring taps, "
                           "and there are k − 1 such gaps."),)),
    Item("p3.b.ii.extra_params", "number", 0.5, "How many parameters does dilation add to the layer?"),
)
_SHEET = {**_computed_items(DEFAULT), **{item.id: item for item in _FIXED_ITEMS}}
_FIXED = {item.id: item for item in _with_sheet(_FIXED_ITEMS, tuple(_SHEET[item_id] for item_id in ORDER))}


def items(setting: Setting) -> tuple[Item, ...]:
    """Problem 3's items, in order, for `setting` (the text and formula items are the same for every variant)."""
    by_id = {**_computed_items(setting), **_FIXED}
    return tuple(by_id[item_id] for item_id in ORDER)


ITEMS = items(DEFAULT)

MODEL_ANSWERS = {
    "p3.a.i": "Stacking more convolutional layers, and spatial downsampling with pooling or strided convolutions "
              "(dilated convolutions also help).",
    "p3.a.iii": "Vanishing or exploding gradients, and degradation: training accuracy gets worse as depth grows "
                "because optimisation gets harder.",
    "p3.b.i": "Parallel branches with 1x1, 3x3 and 5x5 filters look at several scales; padding keeps the spatial "
              "sizes equal so the outputs are concatenated along the channels; 1x1 convolutions are bottlenecks "
              "that reduce the channels and the cost.",
}


def reference(setting: Setting = DEFAULT) -> dict[str, str]:
    """The key of Problem 3: the receptive field from torch, the formulas from the configurations (see reference_p3)."""
    from problems.hw2_cnn.reference_p3 import compute_key

    return {**compute_key(setting), **MODEL_ANSWERS}


SELF_TESTS = (
    SelfTest("p3.a.ii.params_15x15", "(15 × 15 × C) × C = 225C^2", "correct"),
    SelfTest("p3.a.ii.params_15x15", "225C^2 + C", "correct"),
    SelfTest("p3.a.ii.params_15x15", "15 C^2", "incorrect"),
    SelfTest("p3.a.ii.params_15x15", "225 N^2", "invalid"),
    SelfTest("p3.a.ii.rf_three_3x3", "1 + 2 + 2 + 2 = 7", "correct"),
    SelfTest("p3.a.ii.rf_three_3x3", "9", "incorrect"),
    SelfTest("p3.a.ii.rf_three_3x3", "7 pixels wide", "invalid"),
    SelfTest("p3.a.iii", "Vanishing gradients.", "partial"),
    SelfTest("p3.a.iii", "Vanishing gradients and the degradation problem.", "correct"),
    SelfTest("p3.a.iii", "Overfitting.", "incorrect"),
)



def problem(setting: Setting) -> Problem:
    """Problem 3 with `setting`'s numbers (the self-tests' answers are the default's, so only it has them)."""
    default = setting == DEFAULT
    return Problem(id="p3", title="Receptive fields and modern architectures", items=items(setting),
                   reference=reference if default else partial(reference, setting),
                   self_tests=SELF_TESTS if default else ())


PROBLEM = problem(DEFAULT)
