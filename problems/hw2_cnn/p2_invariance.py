"""Problem 2: invariance and equivariance (equation, choice and free-text items).

The two definitions are built as formula trees over an undefined network `f`, a
transformation `T` and an input `x`; the key and the anticipated mistake (giving one
definition for the other) are printed from them.
"""

from __future__ import annotations

from grader.homework import (
    Choice,
    ChoiceOptions,
    ClauseContrary,
    Concept,
    EquationOptions,
    FunctionName,
    Item,
    Mistake,
    Piece,
    Problem,
    SelfTest,
    TextOptions,
    Variable,
)
from grader.math import tree
from grader.math.tree import Node

x = tree.Sym("x")


def f(argument: Node) -> Node:
    return tree.apply("f", argument)


def T(argument: Node) -> Node:  # noqa: N802 (the transformation's name in the homework)
    return tree.apply("T", argument)


# f(T(x)) = f(x): transforming the input leaves the output unchanged.
INVARIANCE = (f(T(x)), f(x))
# f(T(x)) = T(f(x)): transforming the input transforms the output the same way.
EQUIVARIANCE = (f(T(x)), T(f(x)))


def equation_text(equation: tuple[Node, Node]) -> str:
    """An equation as the key (and students) write it."""
    return f"{tree.show(equation[0])} = {tree.show(equation[1])}"


EQUATION_OPTIONS = EquationOptions(
    functions=(
        FunctionName("f", ("F", "h", "phi", "net", "model", "g_theta"), "the network"),
        FunctionName("T", ("t", "g", "tau", "T_g", "S", "transform"), "the transformation"),
    ),
    variables=(Variable("x", ("X", "I", "img", "input", "u"), meaning="the input"),),
)

POOLING = Choice("pooling", ("pooling layer", "pooling layers", "max pooling", "max-pool", "maxpool", "max pool",
                             "maxpooling", "pool", "average pooling", "avg pooling", "subsampling", "maxpool2d"))
LAYER_TYPES = ChoiceOptions((
    Choice("convolution", ("convolutional layer", "convolutional", "conv", "conv layer", "convolutions",
                           "convolutional layers", "conv2d"),
           "Convolution is translation *equivariant*: a shifted input gives a shifted feature map, so the "
           "shift is still there. Which layer discards small shifts?"),
    POOLING,
    Choice("fully connected", ("fully-connected layer", "fully connected layer", "dense", "dense layer", "fc",
                               "linear", "linear layer", "mlp"),
           "A fully connected layer ties each weight to one input position, so it is not translation invariant."),
    Choice("activation", ("activation function", "activations", "relu", "nonlinearity", "non linearity",
                          "sigmoid"),
           "An activation acts on each value on its own; it neither adds nor removes translation invariance."),
    Choice("batch normalisation", ("batch normalization", "batch norm", "batchnorm", "bn", "batchnorm2d"),
           "Batch normalisation rescales each channel; it does not make features insensitive to shifts."),
), by_elimination=True)

ROTATION = ChoiceOptions((
    Choice("invariant", ("rotation invariant", "rotationally invariant", "invariance"),
           "A standard CNN is not rotation invariant: its filters are not rotated, so a rotated input gives "
           "different features."),
    Choice("equivariant", ("rotation equivariant", "rotationally equivariant", "equivariance"),
           "A standard CNN is not rotation equivariant: rotating the input does not simply rotate the "
           "feature maps, because the learned filters are not rotation symmetric."),
    Choice("neither", ("neither invariant nor equivariant", "neither equivariant nor invariant", "none",
                       "none of them", "none of the above", "not invariant and not equivariant",
                       "not equivariant and not invariant", "neither of them", "neither of the two")),
), by_elimination=True)

_TURNED = "rotat*|turn*|spin*|tilt*|spun"
_NOT_HELPING = "not|never help*|work*|chang*|need*|improv*|giv*|provid*|achiev*|matter*|mak*"
# pooling said to give rotation invariance (not pooling over the rotations of a group convolution)
_ALREADY_INVARIANT = ("cnn*|network*|model* already|naturally|inherently|automatically rotation invarian*|robust*",
                      "pool*_giv*|pool*_mak*|pool*_provid*|pooling_layers_mak* rotation invarian*|robust*")
_AUGMENTATION = Concept(
    "data augmentation with rotated images", 1.0,
    (f"augment* {_TURNED}|angle*|orientation*", f"{_TURNED} augment*", "train* on|with rotat*|turned|spun|rotation*",
     f"{_TURNED} train*",
     f"random* {_TURNED}|angle*|orientation*", f"{_TURNED} random*", f"{_TURNED} copy|copies|version*|example*|sample*",
     f"{_TURNED} angle*|degree*", "different|random|many|various|all angle*|orientation*",
     f"extra|more|additional data {_TURNED}"),
    # augmentation and rotated images are the two pieces of the idea; more data alone is not it
    partial=(Piece("augment*"), Piece(f"{_TURNED} image|input|data|photo|picture"),
             "varied|diverse|various|different viewpoint*|view*|orientation*"),
    contrary=(f"augment*|rotat* {_NOT_HELPING}", "avoid rotation*|rotat*", "only upright", *_ALREADY_INVARIANT,
              "flip*|crop*|mirror* mak*|giv*|provid*|achiev* rotation|rotat*"))
_GROUP_CONV = Concept(
    "rotation- or group-equivariant convolutions (alternative)", 1.0,
    ("group equivarian*|conv*|cnn", "g_cnn|gcnn", "rotat* equivarian* conv*|cnn|filter|layer|network",
     "equivarian* rotation*|rotat*", "steerable|harmonic", "rotat* filter|kernel", "capsule", "spatial transformer",
     "polar", "equivariant conv*|network|layer"),
    contrary=(f"group_equivariant|equivariant|group conv*|cnn|network|layer* {_NOT_HELPING}", *_ALREADY_INVARIANT))
_REMEDY_MISTAKES = (
    Concept("flips or crops do not make a network rotation invariant", 0.25,
            ("flip*|crop*|mirror* rotation|rotat* invarian*|robust*",)),
    Concept("no network is exactly invariant to every rotation", 0.25,
            ("exact*|perfect*|complete*|fully invarian*", "invarian* every|all possible|any rotation*|angle*")),
)
# Translation invariance said to be unwanted in general reverses the answer to why it is desirable.
_UNWANTED = ("translation|shift invarian* undesirable|unwanted|harmful", "translation|shift invarian* not|never|rarely "
             "desirable|desired|wanted|useful|helpful|good")
_PRESENCE = Concept(
    "what matters is whether a pattern is present, not where", 0.5,
    ("present|presence|exist*|contain* not|rather where|position|location|place",
     "only|just present|presence|exist*|contain*|whether", "whether|if there|present|in_image|in_picture|in_photo",
     "whether|if object|pattern|something|it in|there", "what not where", "what there|is|matter* not where",
     "matter*_what", "not where", "no matter where", "not matter where", "not care where", "ignor* where",
     "what|content not where|position|location", "is|remain*|stay* wherever|anywhere",
     "same object|thing|class|animal wherever|anywhere|regardless",
     "class|label|identity|category|answer|output not depend* where|position|location",
     "class|label|identity|category|answer|output independent|regardless|irrespective where|position|location",
     "position|location|where not matter*", "position|location|where irrelevant|unimportant", "cat is|still cat",
     "is_there"),
    # that the object may be anywhere, without saying that only its presence matters: half
    partial=("anywhere", "different|any|various|other place*|position*|location*|spot*|part*",
             "present|presence|exist*|contain*"),
    contrary=("position|location|where always|does|do matter*|important|needed|determin*",
              "position|location|where matter* more",
              "know*|tell*|find* exactly where", "where object is needed|important",
              "what_matters_is|it_matters where|position|location", *_UNWANTED))
_ONE_DETECTOR = Concept(
    "one detector fires regardless of the location", 0.5,
    ("same|one|single feature|detector|filter|weight",
     "fire*|react*|respond*|detect|find|recogni*|work* anywhere|wherever|everywhere|regardless|independent*",
     "detect|find|recogni*|fire* every|any|other|all place|position|location|spot", "both classif*|detect*|recogni*",
     "not|no need* learn*|separate|different|own|new detector|filter|weight*",
     "not|no need* learn*|relearn*|train* every|each|all|separately position*|location*|place*|spot*",
     "transfer*|carr* all|every|other|any location*|position*|place*|spot*"),
    # the same output, better generalisation or fewer examples say the effect, not the one detector: half
    partial=("regardless|irrespective position|location|where", "anywhere", "wherever", "any position|location|place",
             "no matter where", "same|one|single answer|output|label|prediction",
             "answer|output|label|prediction not chang* mov*|shift*|translat*",
             "generaliz*", "fewer|less example*|data",
             "not need* example* every|each|all|possible position|spot|location"),
    contrary=("only fire*|detect|work*|respond* position|location|place|spot|where",
              "separate|different|own detector|filter|weight* need*|required every|each|for place|position|location",
              "need* separate|different|own detector|filter every|each|for place|position|location",
              "only fire*|detect* one|particular|specific|single|same position|location", *_UNWANTED))
_DESIRABLE_MISTAKES = (
    Concept("translation invariance does not make data augmentation unnecessary", 0.25,
            ("not|no need* data_augmentation|augmentation|augment*", "need* no|not data_augmentation|augmentation")),
    Concept("translation invariance is undesirable where the position is the answer (keypoints, localisation)", 0.5,
            ("invarian* essential|needed|required|important|desirable|useful|good keypoint*|landmark*|pose|locali*|"
             "bounding|segmentation",)),
)

_MEDICAL = "medical|anatomical|anatomy|organ|tumour|tumor|lesion|nodule|x_ray|mri|ct|scan"
# Each application: its name, its phrasings, and words that only half name it (a medical image may as well
# be classified, where invariance is fine).
_TASKS = (
    ("pose estimation", ("pose estimat*", "pose", "human pose|posture", "joint*|skeleton|elbow*|knee*",
                         "body part*"), ()),
    ("facial landmark detection", ("facial|face landmark*|keypoint*|point*", "landmark*", "face alignment",
                                   "eye*|mouth|nose corner*|point*|position*", "point* eye*|mouth|nose|face"), ()),
    ("anatomical / medical localisation", (f"{_MEDICAL} locali*|where|position*|location*|find*|segment*|lobe",
                                           "where|locat*|find* tumour|tumor|lesion|organ|nodule"),
     (_MEDICAL, "medical imag*")),
    ("object localisation / bounding-box regression", ("localization|localiz*", "bounding box*",
                                                       "bounding_box*", "bbox*", "object detect*", "where exactly",
                                                       "box* around", "output*|predict*|regress*|return* coordinate*",
                                                       "answer is position|location"),
     ()),
    ("keypoint detection", ("keypoint*", "key point*", "key_point*"), ()),
    # 6 and 9, b and d, mirrored letters differ by a flip or a turn, not by where they are
    ("left vs right distinctions", ("left right", "left_right", "left vs right", "handedness"), ("mirror*",)),
)
# Invariance said to be fine in the clause that names a task reverses it ("pose estimation and landmarks
# are examples where invariance is desirable"), not a task named in another clause.
_FINE = "fine|ok|okay|good|desirable|wanted|harmless|helpful|useful|beneficial|needed|essential|important"
_FINE_HERE = (ClauseContrary(f"invarian* {_FINE}"), ClauseContrary("benefit*|profit* invarian*"),
              ClauseContrary("invarian* not|no|never problem*|issue*|concern*"),
              ClauseContrary("cnn*|convolution*|network* fine|well|ok|okay"))
APPLICATIONS = TextOptions(
    tuple(Concept(name, 0.5, phrasings, partial=partial, contrary=_FINE_HERE) for name, phrasings, partial in _TASKS),
    misconceptions=(Concept("translation invariance is undesirable wherever the position is the answer", 1.0,
                            ("invarian* never undesirable|bad", "never undesirable", "always desirable|wanted")),))

ITEMS: tuple[Item, ...] = (
    Item("p2.a.invariance", "equation", 3,
         "Write the definition of invariance of f to a transformation T, applied to input x.", EQUATION_OPTIONS,
         mistakes=(Mistake(equation_text(EQUIVARIANCE), 0.0,
                           "That is the definition of equivariance (the output transforms with the input); "
                           "invariance means the output does not change at all."),)),
    Item("p2.a.equivariance", "equation", 3, "Write the definition of equivariance of f to T.", EQUATION_OPTIONS,
         mistakes=(Mistake(equation_text(INVARIANCE), 0.0,
                           "That is the definition of invariance (the output does not change); equivariance "
                           "means the output transforms the same way as the input."),)),
    Item("p2.b", "choice", 3, "Which layer type is most responsible for local translation invariance? "
         "(convolution, pooling, fully connected, activation, batch normalisation)", LAYER_TYPES),
    Item("p2.c.rotation", "choice", 2, "Is a standard CNN rotation invariant, equivariant, or neither?", ROTATION),
    Item("p2.c.remedy", "text", 2, "How can rotation robustness be obtained?",
         TextOptions((_AUGMENTATION, _GROUP_CONV), misconceptions=_REMEDY_MISTAKES,
                     # what is said of other transformations (augmentation with crops and flips) is not about rotation
                     about=("rotat*|turn*|spin*|spun|angle*|orientation*|tilt*|upright|group|equivarian*|steerable",),
                     elsewhere=("crop*|flip*|shift*|translat*|mirror*|scal*|zoom*|noise|colo*|brightness|blur*",))),
    Item("p2.d", "text", 3, "Why is translation invariance desirable in many problems?",
         TextOptions((_PRESENCE, _ONE_DETECTOR), misconceptions=_DESIRABLE_MISTAKES,
                     # the tasks where invariance is undesirable belong to p2.e
                     about=("desirable|classif*|recogni*|present|presence|whether|what|label|class|categor*|identity",),
                     elsewhere=("pose|landmark*|keypoint*|bounding|localization|localiz*|segmentation",))),
    Item("p2.e", "text", 4, "Give applications where translation invariance is undesirable.", APPLICATIONS),
)

MODEL_ANSWERS = {
    "p2.c.remedy": "Data augmentation with randomly rotated images; alternatively rotation-equivariant "
                   "(group-equivariant) convolutions.",
    "p2.d": "Usually what matters is whether a pattern is present, not where it is: one detector fires regardless "
            "of the location of the object.",
    "p2.e": "Pose estimation and facial landmark detection, where the exact position is the answer.",
}


def reference() -> dict[str, str]:
    """The key of Problem 2: both definitions printed from their trees, the right options, model answers."""
    return {
        "p2.a.invariance": equation_text(INVARIANCE),
        "p2.a.equivariance": equation_text(EQUIVARIANCE),
        "p2.b": POOLING.name,
        "p2.c.rotation": next(c.name for c in ROTATION.choices if not c.feedback),
        **MODEL_ANSWERS,
    }


SELF_TESTS = (
    SelfTest("p2.a.invariance", "f(x) = f(T(x))", "correct"),
    SelfTest("p2.a.invariance", "f∘T = f", "correct"),
    SelfTest("p2.a.invariance", "f(T(x)) = T(f(x))", "incorrect"),
    SelfTest("p2.a.invariance", "f(T(x))", "invalid"),
    SelfTest("p2.a.equivariance", "$$T(f(x)) = f(T(x))$$", "correct"),
    SelfTest("p2.a.equivariance", "f(T(x)) = f(x)", "incorrect"),
    SelfTest("p2.a.equivariance", "f(T(y)) = T(f(y))", "invalid"),
    SelfTest("p2.b", "the pooling layer (especially max pooling)", "correct"),
    SelfTest("p2.b", "convolution", "incorrect"),
    SelfTest("p2.b", "dropout", "invalid"),
    SelfTest("p2.e", "Pose estimation and facial landmark detection.", "correct"),
    SelfTest("p2.e", "Pose estimation.", "partial"),
    SelfTest("p2.e", "Image classification.", "incorrect"),
)

PROBLEM = Problem(id="p2", title="Invariance and equivariance", items=ITEMS, reference=reference,
                  self_tests=SELF_TESTS)
