"""Problem 1: parameter sharing, when a CNN suits a task, and upsampling (choice and free-text items)."""

from __future__ import annotations

from grader.homework import Choice, ChoiceOptions, Concept, Item, Problem, SelfTest, TextOptions

SUITABLE = Choice("suitable", ("yes", "fully suitable", "well suited", "suited", "very suitable", "appropriate",
                               "a good fit"))
PARTIALLY = Choice("partially suitable", ("partially", "partly suitable", "partly", "partial", "somewhat suitable",
                                          "partially suited", "semi suitable", "only partially suitable",
                                          "limited", "suitable with modifications"))
NOT_SUITABLE = Choice("not suitable", ("no", "unsuitable", "not suited", "not appropriate", "unsuited",
                                       "inappropriate"))
SUITABILITY = ChoiceOptions((SUITABLE, PARTIALLY, NOT_SUITABLE))

UPSAMPLING = ChoiceOptions((
    Choice("nearest-neighbour", ("nearest neighbor", "nearest", "nearest neighbour upsampling", "nn upsampling",
                                 "nearest neighbour interpolation", "nearest neighbor interpolation"),
           "Nearest-neighbour upsampling copies values: it has no weights to learn."),
    Choice("bilinear", ("bilinear interpolation", "bilinear upsampling", "linear interpolation"),
           "Bilinear interpolation uses fixed weights given by distances: nothing is learned."),
    Choice("max-unpooling", ("max unpooling", "unpooling", "max unpool", "unpool"),
           "Max-unpooling puts values back at the remembered positions of the maxima: nothing is learned."),
    Choice("transposed convolution", ("transposed conv", "transpose convolution", "transposed convolutions",
                                      "deconvolution", "deconv", "convtranspose", "convtranspose2d",
                                      "fractionally strided convolution", "fractionally-strided convolution",
                                      "up-convolution", "upconvolution", "learnable upsampling")),
))

# Which option is right for each suitability scenario (the key).
SUITABILITY_KEY = {"p1.b.i": SUITABLE, "p1.b.ii": SUITABLE, "p1.b.iii": PARTIALLY}

_SAME_WEIGHTS = Concept(
    "the same kernel/filter weights are reused at every spatial position", 0.4,
    ("same weight|kernel|filter|parameter",
     # "the weights are shared" alone restates the term; shared *across positions* explains it
     "shar* across|over|between|at all|every|each|different position|location|place|patch|region",
     "shar* across|over whole|entire|the image|input",
     "appl*|use*|reus*|slid* every|each|all position|location|place|patch|region",
     "reus* weight|kernel|filter|parameter",
     "weight|kernel|filter|parameter reus*",
     "weight|parameter|kernel|filter every|each|all|different position|location|patch|region",
     "one|single filter|kernel across|over whole|entire|all image|input|position|location"))
_FEWER_PARAMETERS = Concept(
    "far fewer parameters than a fully connected layer, independent of the input size", 0.3,
    ("fewer|less|small|reduc*|few parameter|weight",
     "reduc*|decreas*|cut|sav* number|amount|count parameter|weight",
     "reduc*|decreas* parameter|weight",
     "smaller|lighter model|network|layer", "model|network smaller|lighter",
     "parameter|weight reduc*|decreas*|sav*",
     "independent|regardless input|image size",
     "not depend on input|image size",
     "number parameter|weight depend* only kernel|filter",
     "memory|computation efficien*",
     "less|lower|reduc*|sav* memory|storage|computation",
     "instead million*|thousand*|billion*",
     "efficien*"))
_SLIDING = Concept(
    "the filter slides over the input, producing a feature map", 0.3,
    ("slid*|mov*|convolv*|scan*|swept|sweep* over|across input|image",
     "slid*|scan* window|filter|kernel",
     "feature|activation map"))
_ANYWHERE = Concept(
    "a feature is detected wherever it appears (translation equivariance)", 0.3,
    ("anywhere", "wherever", "any position|location|where", "regardless position|location|where",
     "translation equivarian*|invarian*", "equivarian*", "independent position|location"))

_SPATIAL_ANYWHERE = Concept(
    "the object may appear at any position or scale: translation invariance and local receptive fields", 0.6,
    ("anywhere", "wherever", "any|arbitrary|every|different position|location|place|where|scale",
     "translation invarian*|equivarian*",
     "translation|position|location|spatial|shift invarian*|equivarian*|independen*",
     "invarian*|equivarian* translation|position|shift", "local receptive field",
     "regardless position|location|where", "independent position|location"))
_DENSE_TOO_BIG = Concept(
    "a dense network would need far too many parameters", 0.4,
    ("too|so|very many|much parameter|weight", "fully_connected|dense|mlp parameter|weight|huge|large|big|many|expensive",
     "fewer|less parameter|weight", "weight|parameter shar*", "shar* weight|parameter|filter|kernel",
     "parameter|weight explod*|enormous|huge"))
_TIME_ANYWHERE = Concept(
    "the keyword may occur at any time: translation invariance in time (1-D convolution over waveform/spectrogram)",
    0.6,
    ("any time|point|moment|position|where", "anywhere", "wherever", "translation|time|shift invarian*|equivarian*",
     "invarian*|equivarian* time|translation|shift", "1d|1_d|one_dimensional conv*",
     "temporal conv*", "conv* spectrogram|waveform", "regardless time|position|when",
     "no matter when|where", "conv* in|over|along|across time"))
_WINDOWS_IMPRACTICAL = Concept(
    "a dense network over all windows would be impractical", 0.4,
    ("fully_connected|dense|mlp window|position|length|impractical|expensive|parameter|huge|variable",
     "too|so|very many parameter|weight|window", "parameter shar*", "shar* weight|parameter|filter|kernel",
     "variable|arbitrary|any|different length|duration", "fixed|variable input|sequence length|size",
     "sliding window", "fewer|less parameter|weight"),
    negatable=False)  # "a CNN does not need a fixed length" shows the same understanding as "a dense net does"
_SPATIAL_PER_FRAME = Concept(
    "2-D convolution captures per-frame spatial patterns", 0.5,
    ("each|every|single|individual|per frame|image", "frame_wise|framewise", "frame by frame",
     "spatial feature|pattern|information|content", "appearance",
     "2d|2_d|two_dimensional conv*|cnn|filter frame|spatial|image|appearance|object"))
_NEEDS_TIME_MODEL = Concept(
    "but not motion/temporal dynamics: needs 3-D convolution, recurrent nets or transformers over time", 0.5,
    ("motion", "temporal", "time dimension|axis|dynamic|information|dependenc*", "over|across time|frame",
     "3d|3_d|three_dimensional conv*|cnn|filter|kernel", "recurrent|rnn|lstm|gru|transformer|attention",
     "optical flow", "sequence|order frame", "c3d|i3d|two_stream"),
    negatable=False)
_RESOLUTION_LOST = Concept(
    "downsampling (pooling, strides) loses spatial resolution", 0.25,
    ("downsampl*|pooling|strid*|encoder reduc*|shrink*|lose|lost|loss|decreas*|compress* resolution|size|dimension|"
     "spatial|detail",
     "resolution|size|dimension|detail lost|reduc*|decreas*|shrink*|smaller",
     "recover*|restor*|regain* resolution|size|detail",
     "low|lower|small|smaller|coarse resolution|feature_map",
     "encoder|pooling|downsampl* reduc*|shrink*|compress* feature_map|image",
     "feature_map|resolution small*|low*|tiny|coarse"))
_RESOLUTION_NEEDED = Concept(
    "reconstruction/segmentation needs the input resolution back", 0.25,
    ("segmentation|pixel_wise|per_pixel|dense prediction|reconstruct*",
     "original|input|full size|resolution|dimension|shape",
     "same size|resolution|shape as input",
     "recover*|restor*|regain*|back resolution|size"))
_FIXED_METHODS = Concept(
    "non-learnable methods: nearest-neighbour, bilinear interpolation, max-unpooling", 0.25,
    ("nearest neighbo*", "nearest_neighbo*", "bilinear|bicubic", "unpool*", "interpolat*"))
_LEARNABLE_METHOD = Concept(
    "the learnable method: transposed convolution", 0.25,
    ("transpos* conv*", "deconv*", "up_conv*", "upconv*", "fractionally strid*", "convtranspose*"))

ITEMS: tuple[Item, ...] = (
    Item("p1.a", "text", 5, "Explain parameter sharing in a convolutional layer and why it matters.",
         TextOptions((_SAME_WEIGHTS, _FEWER_PARAMETERS, _SLIDING, _ANYWHERE))),
    Item("p1.b.i", "choice", 2, "Detecting a wolf anywhere in aerial drone images: is a CNN suitable, "
         "partially suitable or not suitable?", SUITABILITY),
    Item("p1.b.i.why", "text", 1, "Justify (i).", TextOptions((_SPATIAL_ANYWHERE, _DENSE_TOO_BIG))),
    Item("p1.b.ii", "choice", 2, "Spotting a spoken keyword (\"Welcome\") anywhere in a long audio stream: "
         "suitable, partially suitable or not suitable?", SUITABILITY),
    Item("p1.b.ii.why", "text", 1, "Justify (ii).", TextOptions((_TIME_ANYWHERE, _WINDOWS_IMPRACTICAL))),
    Item("p1.b.iii", "choice", 2, "Recognising the action performed in a video clip: suitable, partially "
         "suitable or not suitable?", SUITABILITY),
    Item("p1.b.iii.why", "text", 1, "Justify (iii).", TextOptions((_SPATIAL_PER_FRAME, _NEEDS_TIME_MODEL))),
    Item("p1.c.methods", "text", 4, "Why do encoder–decoder networks need upsampling, and which methods exist?",
         TextOptions((_RESOLUTION_LOST, _RESOLUTION_NEEDED, _FIXED_METHODS, _LEARNABLE_METHOD))),
    Item("p1.c.learnable", "choice", 2, "Which of nearest-neighbour, bilinear, max-unpooling, transposed "
         "convolution is learnable?", UPSAMPLING),
)

# Model answers: each must contain every concept of its rubric (a test grades them).
MODEL_ANSWERS = {
    "p1.a": "A convolutional layer reuses the same filter weights at every spatial position: the filter slides "
            "over the input and produces a feature map. This needs far fewer parameters than a fully connected "
            "layer, independent of the input size, and a feature is detected wherever it appears.",
    "p1.b.i.why": "The wolf can appear at any position, so translation invariance and local receptive fields fit; "
                  "a dense network on whole images would need far too many parameters.",
    "p1.b.ii.why": "The keyword can occur at any time, so a 1-D convolution over the spectrogram is translation "
                   "invariant in time; a dense network over all windows would be impractical, with too many "
                   "parameters.",
    "p1.b.iii.why": "A 2-D CNN captures the spatial patterns of each frame but not the motion between frames; "
                    "it needs 3-D convolutions, recurrent networks or transformers over time.",
    "p1.c.methods": "The encoder's downsampling loses spatial resolution, and segmentation needs an output at the "
                    "input resolution. Non-learnable methods: nearest-neighbour, bilinear interpolation, "
                    "max-unpooling; learnable: transposed convolution.",
}


def reference() -> dict[str, str]:
    """The key of Problem 1: the right option of each choice, and a model answer for each text."""
    answers = dict(MODEL_ANSWERS)
    answers.update((item_id, choice.name) for item_id, choice in SUITABILITY_KEY.items())
    learnable = [c for c in UPSAMPLING.choices if not c.feedback]  # the one option with no "not learnable" note
    assert len(learnable) == 1
    answers["p1.c.learnable"] = learnable[0].name
    return answers


SELF_TESTS = (
    SelfTest("p1.b.iii", "Partially-Suitable", "correct"),
    SelfTest("p1.b.iii", "suitable", "incorrect"),
    SelfTest("p1.b.iii", "it depends", "invalid"),
    SelfTest("p1.c.learnable", "the transposed convolution (deconvolution)", "correct"),
    SelfTest("p1.c.learnable", "bilinear or transposed convolution", "invalid"),
    SelfTest("p1.a", "The same weights are shared across all positions.", "partial"),
    SelfTest("p1.a", "The layers share the GPU memory.", "incorrect"),
    SelfTest("p1.a", MODEL_ANSWERS["p1.a"], "correct"),
)

PROBLEM = Problem(id="p1", title="Parameter sharing, suitability, upsampling", items=ITEMS, reference=reference,
                  self_tests=SELF_TESTS)
