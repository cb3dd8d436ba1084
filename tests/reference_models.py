"""VGG-16 and AlexNet in torchvision's layer layout, flattened into one named nn.Sequential."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

# (block, convs per block, output channels) of VGG-16, configuration "D" of Simonyan & Zisserman.
_VGG16_BLOCKS = ((1, 2, 64), (2, 2, 128), (3, 3, 256), (4, 3, 512), (5, 3, 512))


def vgg16() -> nn.Sequential:
    """torchvision.models.vgg16: conv/pool features, AdaptiveAvgPool2d(7), 25088-4096-4096-1000 head."""
    layers: list[tuple[str, nn.Module]] = []
    channels = 3
    for block, convs, out in _VGG16_BLOCKS:
        for i in range(1, convs + 1):
            layers += [
                (f"conv{block}_{i}", nn.Conv2d(channels, out, 3, padding=1)),
                (f"relu{block}_{i}", nn.ReLU()),
            ]
            channels = out
        layers.append((f"pool{block}", nn.MaxPool2d(2, 2)))
    layers += [
        ("avgpool", nn.AdaptiveAvgPool2d((7, 7))),
        ("flatten", nn.Flatten()),
        ("fc6", nn.Linear(512 * 7 * 7, 4096)), ("relu6", nn.ReLU()), ("drop6", nn.Dropout()),
        ("fc7", nn.Linear(4096, 4096)), ("relu7", nn.ReLU()), ("drop7", nn.Dropout()),
        ("fc8", nn.Linear(4096, 1000)),
    ]
    return nn.Sequential(OrderedDict(layers))


def alexnet() -> nn.Sequential:
    """torchvision.models.alexnet (the one-GPU variant of Krizhevsky et al., 64/192/384/256/256 channels)."""
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 64, 11, stride=4, padding=2)), ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(3, 2)),
        ("conv2", nn.Conv2d(64, 192, 5, padding=2)), ("relu2", nn.ReLU()),
        ("pool2", nn.MaxPool2d(3, 2)),
        ("conv3", nn.Conv2d(192, 384, 3, padding=1)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(384, 256, 3, padding=1)), ("relu4", nn.ReLU()),
        ("conv5", nn.Conv2d(256, 256, 3, padding=1)), ("relu5", nn.ReLU()),
        ("pool5", nn.MaxPool2d(3, 2)),
        ("avgpool", nn.AdaptiveAvgPool2d((6, 6))),
        ("flatten", nn.Flatten()),
        ("drop6", nn.Dropout()), ("fc6", nn.Linear(256 * 6 * 6, 4096)), ("relu6", nn.ReLU()),
        ("drop7", nn.Dropout()), ("fc7", nn.Linear(4096, 4096)), ("relu7", nn.ReLU()),
        ("fc8", nn.Linear(4096, 1000)),
    ]))
