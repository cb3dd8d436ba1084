"""The CNN homework (hw2-cnn): its problems, registered as the `hw2-cnn` homework plugin."""

from grader.homework import Homework
from problems.hw2_cnn.p1_concepts import PROBLEM as P1
from problems.hw2_cnn.p2_invariance import PROBLEM as P2
from problems.hw2_cnn.p3_receptive_fields import PROBLEM as P3
from problems.hw2_cnn.p4_network import PROBLEM as P4
from problems.hw2_cnn.variants import PARAMETERS, constraint, vary

HOMEWORK = Homework(
    id="hw2-cnn",
    title="Homework 2: Convolutional Neural Networks",
    problems=(P1, P2, P3, P4),
    key_package="reference",
    key_file="hw2-cnn.yaml",
    total_points=100,
    parameters=PARAMETERS,
    constraint=constraint,
    vary=vary,
)
