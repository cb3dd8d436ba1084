"""Problem 4's network as plain data: prompts read it without torch, network.py builds torch from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LayerType = Literal["conv", "bn", "maxpool", "linear"]


@dataclass(frozen=True)
class LayerSpec:
    """One row of the homework's layer table (ReLUs and the flatten step are implied)."""

    name: str
    type: LayerType
    width: int | None = None  # filters of a conv, features of a linear layer
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    # The homework's layers all have biases and round down; mistake rules change these.
    bias: bool = True
    ceil_mode: bool = False

    @property
    def same_padding(self) -> bool:
        """Padding "same": a stride-1 convolution padded so that it keeps the input size."""
        return self.type == "conv" and self.stride == 1 and bool(self.padding) and \
            2 * self.padding == self.dilation * (self.kernel - 1)

    @property
    def has_rf_item(self) -> bool:
        """Whether the homework asks for this layer's receptive field (convolutions and pooling)."""
        return self.type in ("conv", "maxpool")

    def describe(self) -> str:
        """The configuration as the homework's table states it."""
        if self.type == "conv":
            parts = [f"Conv2d, {self.width} filters {self.kernel}×{self.kernel}", f"stride {self.stride}"]
            if self.dilation != 1:
                parts.append(f"dilation {self.dilation}")
            same = ' "same"' if self.same_padding else ""
            parts.append(f"padding{same} {self.padding}")
            return ", ".join(parts)
        if self.type == "bn":
            return "BatchNorm2d"
        if self.type == "maxpool":
            return f"MaxPool2d {self.kernel}×{self.kernel}, stride {self.stride}"
        return f"Linear → {self.width}"


@dataclass(frozen=True)
class Net:
    """Problem 4's whole network: the input image H × W × C and the layer table (a variant changes the numbers)."""

    input_hwc: tuple[int, int, int]
    layers: tuple[LayerSpec, ...]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """torch's per-sample (C, H, W) of the input."""
        h, w, c = self.input_hwc
        return (c, h, w)

    def index(self, layer: LayerSpec) -> int:
        """Where `layer` (or the layer of its name) is in the table: layers are found by name, so a
        mistake rule's changed copy of a layer is found too."""
        return [spec.name for spec in self.layers].index(layer.name)


# Input image H × W × C.
INPUT_HWC = (256, 256, 3)

LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec("layer1", "conv", 32, kernel=7, stride=1, padding=3),
    LayerSpec("bn1", "bn"),
    LayerSpec("layer2", "conv", 64, kernel=5, stride=2, padding=0),
    LayerSpec("bn2", "bn"),
    LayerSpec("layer3", "maxpool", kernel=2, stride=2),
    LayerSpec("layer4", "conv", 128, kernel=3, stride=1, padding=0, dilation=2),
    LayerSpec("bn4", "bn"),
    LayerSpec("layer5", "conv", 128, kernel=3, stride=1, padding=0),
    LayerSpec("bn5", "bn"),
    LayerSpec("layer6", "maxpool", kernel=2, stride=2),
    LayerSpec("layer7", "conv", 256, kernel=3, stride=1, padding=0),
    LayerSpec("bn7", "bn"),
    LayerSpec("layer8", "maxpool", kernel=2, stride=2),
    LayerSpec("fc1", "linear", 1024),
    LayerSpec("fc2", "linear", 1024),
    LayerSpec("fc3", "linear", 10),
)

# The homework as it is without variants (the default variant).
NET = Net(INPUT_HWC, LAYERS)
