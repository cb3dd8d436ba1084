"""Problem 1: parameter sharing, when a CNN suits a task, and upsampling (choice and free-text items)."""

from __future__ import annotations

from grader.homework import Choice, ChoiceOptions, Concept, Item, Piece, Problem, SelfTest, TextOptions

SUITABLE = Choice("suitable", ("yes", "fully suitable", "well suited", "suited", "very suitable", "appropriate",
                               "a good fit"))
PARTIALLY = Choice("partially suitable", ("partially", "partly suitable", "partly", "partial", "somewhat suitable",
                                          "partially suited", "semi suitable", "only partially suitable",
                                          "limited", "suitable with modifications", "not fully suitable",
                                          "not entirely suitable", "not completely suitable"))
NOT_SUITABLE = Choice("not suitable", ("no", "unsuitable", "not suited", "not appropriate", "unsuited",
                                       "inappropriate"))
SUITABILITY = ChoiceOptions((SUITABLE, PARTIALLY, NOT_SUITABLE), by_elimination=True)

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
), by_elimination=True)

# Which option is right for each suitability scenario (the key).
SUITABILITY_KEY = {"p1.b.i": SUITABLE, "p1.b.ii": SUITABLE, "p1.b.iii": PARTIALLY}

# Words students use for the filter and for a place in the input (plain ones included).
_FILTER = "weight|kernel|filter|parameter|detector|stencil|window|template|number|value|set_of_weights"
_PLACE = "position|location|place|patch|region|pixel|spot|part|neuron|unit|output|corner|x_y"
_WHOLE = "whole|entire|all|every|each"
_SPOT = "position|location|place|patch|region|pixel|spot|corner|x_y"
_INPUT = "image|input|picture|photo|feature_map|map"

_SAME_WEIGHTS = Concept(
    "the same kernel/filter weights are reused at every spatial position", 0.25,
    # "the weights are shared" alone restates the term; the same weights *at every position* explains it
    (f"same|identical {_FILTER} every|each|all|any|whole|entire|everywhere|across|throughout|all_over",
     f"same|identical|shared {_FILTER} slid*|mov*|scan*|sweep*|swept|glid*",
     f"every|each|all {_PLACE} same|identical {_FILTER}",
     f"shar* across|over|between|at|for all|every|each|different {_PLACE}", f"shar* {_SPOT}",
     f"shar* across|over {_WHOLE} {_INPUT}",
     f"appl*|use*|reus*|run* every|each|all|any {_PLACE}",
     "appl*|use*|reus* everywhere|all_over", f"use*|appl*|run* {_FILTER} again|repeatedly|everywhere",
     f"{_FILTER} use*|appl* again|repeatedly|many_times|several_times|multiple_times|over_and_over",
     f"one|single|1 {_FILTER} across|over|for {_WHOLE} {_INPUT}|{_PLACE}",
     f"one|single|1 {_FILTER} slid*|scan*|sweep*|swept|glid*",
     f"appl*|use*|reus*|run* across|over|throughout {_WHOLE} {_INPUT}"),
    # the same weights, or weights reused, without saying where: half the idea
    partial=("same|identical weight|kernel|filter|parameter|detector|stencil|template|set_of_weights",
             f"reus* {_FILTER}", f"{_FILTER} reus*"),
    contrary=(
        # sharing between layers is not parameter sharing
        "layer* shar* weight*|kernel*|filter*|parameter*", "shar* between|across|among layer*",
        "same kernel|weight|filter|weights as layer*|previous|other|earlier", f"one|same set {_FILTER} whole|entire network",
        f"own|separate|private|different|individual {_FILTER} for|at|per every|each {_SPOT}",
        f"every|each {_SPOT} has|have|gets|get own|separate|private|different {_FILTER}",
        f"copy {_FILTER} for|per|at every|each {_SPOT}",
        # one layer's filters all alike, or a later layer reusing them, is not parameter sharing either
        "all_filters|all_kernels|all_the_filters|all_the_kernels|every_filter same|identical|share*",
        "next|following|later layer* reus*|use*|shar*", "reus*|shar* later|next|following|subsequent layer*",
        # the same weights across the input channels is not parameter sharing
        "all channel*|slice* same|identical weight*|kernel*|value*", "slice* identical|same"))
_FEWER_PARAMETERS = Concept(
    "far fewer parameters than a fully connected layer, independent of the input size", 0.25,
    ("fewer|less|small*|reduc*|few|low* parameter|weight|params",
     "reduc*|decreas*|cut|sav* number|amount|count parameter|weight",
     "parameter|weight count|number small*|low*|reduc*|decreas*|less|fewer",
     "few|fewer|less number|numbers|stuff|value|things learn|store",
     "smaller|lighter|compact|small model|network|layer", "model|network|layer smaller|lighter|compact",
     "small*|less|fewer than fully_connected|dense|mlp",
     "parameter|weight reduc*|decreas*|sav*",
     f"independent|regardless input|{_INPUT} size|resolution|h",
     "not depend* input|image|picture size|resolution|h|height|width",
     "not grow*|increas*|chang* input|image|picture size|bigger|larger|grow*",
     "number|count parameter|weight depend* only kernel|filter", "parameter|weight count depend* only kernel|filter",
     "memory efficien*", "less|lower|reduc*|sav* memory|storage",
     "instead million*|thousand*|billion*", "order* magnitude more|fewer|less", "number weight*|parameter* only"),
    contrary=("more parameter*|weight*|params than", "parameter*|params|weight* same|equal|as_many fully_connected|dense|mlp",
              "count|number|parameter*|weight* grow*|increas*|scal* with input|image|picture|size|resolution"))
_SLIDING = Concept(
    "the filter slides over the input, producing a feature map", 0.25,
    ("slid*|mov*|convolv*|scan*|swept|sweep*|glid*|shift*|pass* over|across|along",
     "slid*|scan*|sweep*|glid* window|filter|kernel|stencil", "window|filter|kernel|stencil slid*|scan*|sweep*|glid*",
     f"appl* across|over {_WHOLE} {_INPUT}", "dot_product|weighted_sum each|every|location|position|time|step",
     "convolution operation|convolv*"),
    # a filter that moves (by its stride) or works step by step, not said to go over the input
    partial=("mov* window|filter|kernel|stencil", "window|filter|kernel|stencil mov*", "step by step"))
_ANYWHERE = Concept(
    "a feature is detected wherever it appears (translation equivariance)", 0.25,
    ("anywhere", "wherever", "any|another position|location|place|corner|part|spot",
     "detect|find|recogni*|spot every|different|other position|location|place|corner|part|spot",
     "regardless position|location|where", "no matter where", "translation equivarian*|invarian*",
     "equivarian*", "independent position|location"),
    # the feature map said to stay the same under a shift is invariance taken for equivariance
    contrary=("feature_map|output|map stay*|remain* same|unchanged|identical",))

# Invariance / position words of the suitability justifications; a claim that only one place works; invariance said
# to be unwanted, which reverses the justification.
_ONLY_ONE_PLACE = "only find*|detect*|work*|spot* centre|center|middle|beginning|start|one|fixed|same"
# a dense network said to do better reverses the whole justification
_DENSE_BETTER = "dense|fully_connected|mlp better|superior|handl*_better|work*_better|more_suitable"
_UNWANTED = ("translation|shift|time|temporal|position|location invarian* undesirable|unwanted|bad|harmful",
             "translation|shift|time|temporal|position|location invarian* not|never wanted|desired|desirable|needed|"
             "helpful|useful|good")
_INVARIANT = "translation|position|location|spatial|shift invarian*|equivarian*|independen*"

_SPATIAL_ANYWHERE = Concept(
    "the object may appear at any position or scale: translation invariance and local receptive fields", 0.6,
    (_INVARIANT, "invarian*|equivarian* translation|position|shift|location", "weight|parameter shar*",
     "shar* weight*|parameter*|filter*|kernel*",
     "regardless position|location|where", "independent position|location", "no matter where",
     "not matter where", "same filter*|detector*|weight*|kernel* everywhere|anywhere",
     "same filter*|detector*|weight*|kernel* whole|all|every|each position|location|part|image|picture",
     "reus*|shar*|appl*|use* everywhere", "reus*|shar* whole|all|every position|location|part|image",
     "find*|detect*|spot* anywhere|wherever", "find*|detect*|spot* any|every place|position|location|where",
     f"slid*|mov*|scan* over|across {_INPUT}", "look* same whether|wherever|anywhere"),
    partial=("anywhere", "wherever", "any|arbitrary|every|different position|location|place|where|scale|part",
             "local receptive field", "local feature*|pattern*"),
    contrary=("position|location|where matter*", "invarian* undesirable|bad|unwanted|harmful", _ONLY_ONE_PLACE, *_UNWANTED,
              _DENSE_BETTER))
_DENSE_TOO_BIG = Concept(
    "a dense network would need far too many parameters", 0.4,
    ("too|so|very many|much parameter|weight",
     "enormous|huge|impractical|insane|large|ridiculous|absurd|crazy|massive|gigantic|astronomical|prohibitive|"
     "excessive number|amount parameter|weight",
     "fully_connected|dense|mlp parameter|weight|huge|large|big|many|expensive|enormous|impractical|million*|"
     "impossible|infeasible",
     "ordinary|normal|regular|plain network|net|approach huge|large|big|many|expensive|enormous|impractical|too",
     "fewer|less|few parameter|weight", "parameter|weight explod*|enormous|huge",
     "parameter|weight count|number small*|tiny|low*|few", "million*|billion* weight*|parameter*|params|connection*"),
    contrary=("same number parameter*|weight*|params dense|fully_connected|mlp",
              # a dense network said to need fewer weights (the verb and "fewer" written together)
              "dense|fully_connected|mlp need*_fewer|need*_less|require*_fewer|has_fewer|have_fewer|use*_fewer",
              _DENSE_BETTER))

_TIME = "time|moment|point|second|minute|instant|step|timeline|offset"
_TIME_INVARIANT = ("translation|time|shift|temporal invarian*|equivarian*", "invarian*|equivarian* time|translation|shift",
                   "no matter when", "regardless time|when", "not care* where|when",
                   "conv*|cnn|filter* over|along|across time|timeline",
                   "slid*|mov*|scan*|appl*|reus* along|over|across time|timeline",
                   f"shar* weight*|filter*|parameter* {_TIME}|across|along", f"same filter|detector|weight* every|each|all|along {_TIME}")
_TIME_ANYWHERE = Concept(
    "the keyword may occur at any time", 0.3,
    (*_TIME_INVARIANT, f"any|arbitrary|every|whatever {_TIME}", "anywhere", "wherever", "whether not when"),
    contrary=(_ONLY_ONE_PLACE, "position|location|when matter*", *_UNWANTED,
              "specific|particular|exact|certain|fixed point|time|moment|offset|position"))
_TIME_CONVOLUTION = Concept(
    "translation invariance in time: the same filter slides along time (1-D convolution over waveform/spectrogram)",
    0.3,
    (*_TIME_INVARIANT, "temporal conv*",
     "conv*|cnn|filter* over|along|across audio|waveform|spectrogram|signal|stream|recording",
     "slid*|mov*|scan*|appl* along|over|across audio|stream|signal|recording|waveform|spectrogram"),
    partial=("1d|1_d|one_dimensional conv*|cnn",),
    contrary=(_ONLY_ONE_PLACE, "position|location|when matter*", *_UNWANTED,
              "specific|particular|exact|certain|fixed point|time|moment|offset|position"))
_WINDOWS_IMPRACTICAL = Concept(
    "a dense network over all windows would be impractical", 0.4,
    ("fully_connected|dense|mlp impractical*|expensive|huge|big|large|costly|slow|trouble|struggl*|difficult*",
     "far|much more parameter*|weight*|computation|compute", "window*|stream impractical*|expensive|huge|costly",
     "huge|big|large network|net|model whole|entire stream|recording",
     "too|so|very many parameter|weight|window", "too big|large|expensive|much|costly|slow",
     "fully_connected|dense|mlp impossible|infeasible", "not|never practical|feasible|possible|realistic|scalable",
     "every|each|all possible|chunk*|window*|segment*|offset* separately",
     "variable|arbitrary|any|different length|duration", "fixed|variable input|sequence length|size",
     "not need* fixed|separate|own length|input|weight",
     "sliding window", "fewer|less parameter|weight"),
    # a dense network over the windows named, without saying what is wrong with it: half
    partial=("impossible|infeasible", "fully_connected|dense|mlp window|position|length|parameter|variable"),
    contrary=("dense|fully_connected|mlp more_practical|more_feasible|more_efficient|more_suitable|better|cheaper|"
              "work*_fine|work*_better|practical|feasible|workable",))
_MOTION = "motion|movement|temporal|time|dynamic*"
_MOTION_CONTRARY = (
    "per_frame|frame_wise|2d|2_d|single_frame|normal|regular|standard cnn|convolution captur*|see*|model* motion|movement",
    "cnn does|do captur*|see*|model* motion|movement",
    f"{_MOTION} handl*|captur*|learn* automatically|anyway|already",
    "no|not need* extra|additional|separate temporal|time|motion model|network",
    f"{_MOTION} not need*|necessary|required|important", f"pool* captur*|model*|combin* {_MOTION}|movement",
    f"{_MOTION}|movement implicit*|already there", "averag* prediction*|frame*", "time|temporal like|as|same space|spatial",
    f"action* never|not depend* mov*|{_MOTION}", f"fully|already|completely|easily captur*|see*|model* {_MOTION}")
_SPATIAL_PER_FRAME = Concept(
    "2-D convolution captures per-frame spatial patterns", 0.5,
    ("each|every|single|individual|per|one frame|image|picture", "frame_wise|framewise", "frame by frame",
     "spatial feature|pattern|information|content|appearance|structure|detail*|layout|shape*",
     "appearance|look* each|every|single|individual|per|one|of frame*|image|picture",
     "spatial|frame|frames|appearance yes|part|side|aspect|ok|fine|good|handled|captured",
     "in|within a|each|every|one|single frame|image|picture", "object*|pose|scene in frame*", "picture|image part",
     "2d|2_d|two_dimensional conv*|cnn|filter spatial|image|appearance|object"),
    # "spatial" or "appearance" alone: half
    partial=("spatial", "appearance"),
    contrary=_MOTION_CONTRARY,
    # HOMEWORK.md's concept is a contrast ("per-frame spatial patterns but not motion"): whole only with its other side
    needs="but not motion/temporal dynamics: needs 3-D convolution, recurrent nets or transformers over time")
_NEEDS_TIME_MODEL = Concept(
    "but not motion/temporal dynamics: needs 3-D convolution, recurrent nets or transformers over time", 0.5,
    ("motion|movement|temporal|time dimension|axis|dynamic*|information|dependenc*|order|model*|context|pattern*|"
     "relation*",
     "captur*|see*|model*|miss*|ignor*|lose*|need*|requir* motion|movement|temporal|dynamic*", "over|across time",
     "not|no|without motion|movement|temporal|time|dynamic*|order",
     "3d|3_d|three_dimensional conv*|cnn|filter|kernel", "recurrent|rnn|lstm|gru|transformer|attention",
     "optical flow", "sequence_of_frames|order_of_frames|frame_order|frame_sequence", "frame* in order", "sequence model", "c3d|i3d|two_stream",
     "chang* from|between|across frame*", "one frame next", "span*|stretch*|extend* frame*|time"),
    # "motion" or "time" named alone, or the CNN said to see only single frames: half
    partial=("motion", "movement", "temporal", "only|just|merely spatial|frame|frames|image|picture|appearance"),
    contrary=_MOTION_CONTRARY)

# The encoder said to keep (or raise) the resolution: nothing is lost, nothing needs restoring.
_RESOLUTION_KEPT = ("encoder increas*|enlarg* resolution|size", "bottleneck already|same size|resolution",
                    "bottleneck|encoder|downsampl* has|have|keep*|preserv*|maintain*|retain* input|original|same|full "
                    "resolution|size", "already input|full|same resolution|size")
_RESOLUTION_LOST = Concept(
    "downsampling (pooling, strides) loses spatial resolution", 0.25,
    ("downsampl*|pooling|strid*|encoder reduc*|shrink*|lose|lost|loss|decreas*|compress* resolution|size|dimension|"
     "spatial|detail|image|picture|map",
     "resolution|size|dimension|detail lost|reduc*|decreas*|shrink*|smaller",
     "lose|lost|loss|losing|throw*|threw|discard*|price|cost|expense|sacrific* resolution|detail*|spatial",
     "low|lower|small|smaller|coarse|coarser resolution|feature_map|image|picture|map|grid",
     "encoder|pooling|downsampl* reduc*|shrink*|compress* feature_map|image",
     "feature_map|resolution|picture|image|map small*|low*|tiny|coarse*",
     "shrink*|reduc*|downsampl*|compress* picture|image|map*|grid", "middle|bottleneck small|tiny|coarse*",
     "encoder reduc*|shrink*|decreas* h|hxw|height|width"),
    # that something shrinks, or downsampling named, without saying the resolution is lost: half
    partial=("shrink*|smaller|tiny|coarse*|downsampl*",),
    contrary=_RESOLUTION_KEPT)
_RESOLUTION_NEEDED = Concept(
    "reconstruction/segmentation needs the input resolution back", 0.25,
    ("original|input|full size|resolution|dimension|shape",
     "size|resolution|dimension|shape|h|hxw of|as input|original",
     "same size|resolution|shape|height|width|hxw|dimension* input|original", "as big|large as input",
     "recover*|restor*|regain*|back resolution|size|hxw|height|dimension*", "bigger|larger again", "blow*_up|blown_up|back_up",
     "label*|output|prediction|class* per|each|every|for input|original pixel*",
     "output|mask|target|prediction hxw|full_size|full_resolution|input_size|input_resolution|original_size"),
    # a task that needs it named, or enlarging said, without the input resolution: half
    partial=("segmentation|pixel_wise|per_pixel|dense_prediction|reconstruct*|every_pixel|each_pixel",
             "enlarg*|upscal*"),
    contrary=(*_RESOLUTION_KEPT, "upsampl* only channel*", "upsampl* optional|unnecessary|superfluous"))
# HOMEWORK.md's method concepts are the methods *as* fixed or learnable: a method named without that is half of
# its concept (as holdout-1's markers mark a bare list of methods).
_FIXED_NAMES = "nearest*|nn|bilinear|bicubic|interpolat*|unpool*|copy*|repeat*|duplicat*|blend*|averag*"
# Said of the fixed methods together ("…, max-unpooling (…), which have no parameters").
_NO_WEIGHTS = ("non_learnable|non_learned|non_trainable|non_parametric|nonparametric|not_learnable|not_learned|"
               "not_trainable|no_parameters|no_weights|no_learnable|nothing_to_learn|parameter_free")
_NOTHING_LEARNED = f"fixed|rule*|hand_crafted|handcrafted|{_NO_WEIGHTS}"
_TRANSPOSED = ("transpos*_conv*|deconv*|up_conv*|upconv*|fractionally_strid*|convtranspose*|tconv*|sub_pixel|"
               "pixel_shuffl*")
_LEARNED = "learn*|learnabl*|trainabl*|trained|parametri*|weight*|parameter*"
# every method said to learn: no method singled out as the learnable one, and the fixed ones said to learn
_ALL_LEARN = "all|every method*|upsampl* learnabl*|trainabl*|learned|weight*"
_FIXED_METHODS = Concept(
    "non-learnable methods: nearest-neighbour, bilinear interpolation, max-unpooling", 0.25,
    (f"{_NOTHING_LEARNED} {_FIXED_NAMES}", f"{_FIXED_NAMES} {_NOTHING_LEARNED}",
     "nearest|bilinear|unpool*|interpolat* not|non learnabl*|trainabl*|learned|parametr*"),
    # fixed methods named are one piece; that they learn nothing, said of them together or by singling out the
    # one method that learns, is the other: both make the concept whole
    partial=(*(Piece(p, "named") for p in (
        "nearest neighbo*", "nearest_neighbo*", "nn", "bilinear|bicubic", "unpool*", "interpolat*",
        "copy*|repeat*|duplicat* value*|pixel*|each|block", "blend*|averag* neighbo*|value*",
        "put*|place* back max|position|spot|location")),
             Piece("only|one|last learn*|learnabl*|trainabl*|learned|weight*", "the others learn nothing"),
             Piece(_NO_WEIGHTS, "the others learn nothing"),
             Piece("none_of_these|none_of_those|none_of_the_three|none_of_the_others learn*|learnabl*|trainabl*|"
                   "parameter*|weight*", "the others learn nothing")),
    # a fixed method said to be learned contradicts the concept (HOMEWORK.md: a wrong claim cancels it)
    contrary=("learnabl*|trainabl* unpool*|nearest|bilinear|interpolat*",
              "unpool*|nearest|bilinear|interpolat* is|are|also learnabl*|trainabl*",
              "unpool*|nearest|bilinear|interpolat* learn* weight*", _ALL_LEARN))
_LEARNABLE_METHOD = Concept(
    "the learnable method: transposed convolution", 0.25,
    (f"{_TRANSPOSED} {_LEARNED}", f"{_LEARNED} {_TRANSPOSED}",
     "learn*|learnabl*|trainabl*|parametri* upsampl*|upscal*|enlarg*|deconv*|conv*",
     "learnabl*|trainabl*|learned layer|weight*|filter|kernel"),
    partial=(_TRANSPOSED,),
    contrary=("transpos*|deconv* non|not learnabl*|trainabl*|fixed", "transpos*|deconv* is|are|also fixed",
              "none_of_which|none_of_them|none_of_the_methods|none_of_the_four learnabl*|learn*|trainabl*",
              "none|nothing is|are|has learnabl*|trainabl*", _ALL_LEARN))

# The scenarios of the three justifications: a sentence about another one's (and not its own) answers that one.
_WOLF = "wolf|wolves|drone|aerial|animal*"
_AUDIO = "audio|sound|speech|spoken|keyword*|recording|spectrogram*|waveform|welcome"
_VIDEO = "video*|clip*|action*"

ITEMS: tuple[Item, ...] = (
    Item("p1.a", "text", 5, "Explain parameter sharing in a convolutional layer and why it matters.",
         TextOptions((_SAME_WEIGHTS, _FEWER_PARAMETERS, _SLIDING, _ANYWHERE),
                     about=("shar*|same|weight*|kernel*|filter*|parameter*|params|reus*|detector*",),
                     elsewhere=("pool*|stride*|padding|pad|dilat*",),
                     misconceptions=(Concept("parameter sharing gives no rotation or scale invariance", 0.05,
                                             ("rotation|scale|size invarian*",
                                              "invarian*|robust* to|against rotation|scale|size")),))),
    Item("p1.b.i", "choice", 2, "Detecting a wolf anywhere in aerial drone images: is a CNN suitable, "
         "partially suitable or not suitable?", SUITABILITY),
    Item("p1.b.i.why", "text", 1, "Justify (i).", TextOptions(
        (_SPATIAL_ANYWHERE, _DENSE_TOO_BIG),
        misconceptions=(Concept("a CNN is not invariant to rotation or scale by design", 0.25,
                                ("rotation|scale|orientation|angle|size|viewpoint invarian*|robust*",
                                 "invarian*|robust* to|against rotation|orientation|angle|scale|size|heading")),),
        context="Detecting a wolf anywhere in aerial drone images: is a CNN suitable?",
        about=(f"{_WOLF}|image*|picture*|photo*|pixel*",), elsewhere=(_AUDIO, _VIDEO))),
    Item("p1.b.ii", "choice", 2, "Spotting a spoken keyword (\"Welcome\") anywhere in a long audio stream: "
         "suitable, partially suitable or not suitable?", SUITABILITY),
    Item("p1.b.ii.why", "text", 1, "Justify (ii).", TextOptions(
        (_TIME_ANYWHERE, _TIME_CONVOLUTION, _WINDOWS_IMPRACTICAL),
        misconceptions=(Concept("audio needs no 3-D convolution, and convolution is no invariance to voice or speed",
                                0.25, ("need* 3d|3_d conv*",
                                       "invarian* to|against voice|accent|speaker|speed|pitch|how_fast|tempo")),),
        context="Spotting a spoken keyword (\"Welcome\") anywhere in a long audio stream: is a CNN suitable?",
        about=(f"{_AUDIO}|time|temporal|1d|1_d|word",), elsewhere=(f"{_WOLF}|image*|picture*|photo*", _VIDEO))),
    Item("p1.b.iii", "choice", 2, "Recognising the action performed in a video clip: suitable, partially "
         "suitable or not suitable?", SUITABILITY),
    Item("p1.b.iii.why", "text", 1, "Justify (iii).", TextOptions(
        (_SPATIAL_PER_FRAME, _NEEDS_TIME_MODEL),
        context="Recognising the action performed in a video clip: is a CNN suitable?",
        about=(f"{_VIDEO}|frame*|motion|movement|temporal|time|sequence",), elsewhere=(_WOLF, _AUDIO))),
    Item("p1.c.methods", "text", 4, "Why do encoder–decoder networks need upsampling, and which methods exist?",
         TextOptions((_RESOLUTION_LOST, _RESOLUTION_NEEDED, _FIXED_METHODS, _LEARNABLE_METHOD),
                     misconceptions=(Concept("transposed convolution is no inverse of convolution", 0.0625,
                                             ("transpos*_conv*|deconv* inverse|undo*|invert*",)),))),
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
