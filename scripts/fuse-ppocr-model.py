"""Rewrites a PP-OCR model (PaddlePaddle exported to ONNX by paddle2onnx) so that
ONNX Runtime runs it faster on one CPU thread, computing the same thing up to
float rounding. `make setup` runs it on the detection and recognition models.

Why: paddle2onnx spells every hard-swish as four element-wise nodes (Add 3,
Clip 0..6, Mul, Div 6) and every learnable affine block of PP-LCNetV3 as a Mul
and an Add by scalars. ONNX Runtime fuses none of them, so about half of a run
walked whole feature maps for these small operations (profiled on one thread:
Conv 32 %, Mul 21 %, Add 18 %, Clip 7 %, Div 6 % of recognition). Here:

1. Conv → Mul(s) → Add(t), constants with one value or one per output channel,
   becomes one Conv with weights W·s and bias b·s + t;
2. Add(x, 3) → Clip(0, 6) → Mul(x, ·) → Div(6) becomes one HardSwish (opset 14,
   which ONNX Runtime then fuses into the Conv before it);
3. Mul(s) → Add(t) → Conv that pads nothing (the 1×1 convolutions), scalars,
   becomes a Conv with W·s and b + t·ΣW. A padded Conv keeps its Mul and Add:
   its zero border would otherwise see t.

Usage: python3 fuse-ppocr-model.py IN.onnx OUT.onnx
Needs the `onnx` package (the Makefile installs a pinned wheel beside it).
"""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, version_converter


class Graph:
    """A model's graph with its constants as arrays and who reads what."""

    def __init__(self, graph):
        self.graph = graph
        self.constants_to_initializers()
        self.init = {t.name: t for t in graph.initializer}
        self.outputs = {o.name for o in graph.output}
        self.readers = {}
        for node in graph.node:
            for name in node.input:
                self.readers.setdefault(name, []).append(node)
        self.removed = set()

    def constants_to_initializers(self):
        kept = []
        for node in self.graph.node:
            if node.op_type == "Constant" and [a.name for a in node.attribute] == ["value"]:
                tensor = node.attribute[0].t
                tensor.name = node.output[0]
                self.graph.initializer.append(tensor)
            else:
                kept.append(node)
        del self.graph.node[:]
        self.graph.node.extend(kept)

    def const(self, name):
        tensor = self.init.get(name)
        return None if tensor is None else numpy_helper.to_array(tensor)

    def set_const(self, name, array):
        tensor = numpy_helper.from_array(array.astype(np.float32), name)
        self.graph.initializer.append(tensor)
        self.init[name] = self.graph.initializer[-1]

    def sole_reader(self, name):
        """The one node reading `name`, if only one does and it is no graph output."""
        readers = self.readers.get(name, [])
        if len(readers) == 1 and name not in self.outputs:
            return readers[0]
        return None

    def is_scalar(self, name, value):
        v = self.const(name)
        return v is not None and v.size == 1 and abs(float(v.ravel()[0]) - value) < 1e-6

    def remove(self, *nodes):
        self.removed.update(id(n) for n in nodes)

    def commit(self):
        kept = [n for n in self.graph.node if id(n) not in self.removed]
        del self.graph.node[:]
        self.graph.node.extend(kept)
        used = {i for n in kept for i in n.input} | self.outputs
        initializers = [t for t in self.graph.initializer if t.name in used]
        del self.graph.initializer[:]
        self.graph.initializer.extend(initializers)


def other_input(node, name):
    a, b = node.input
    return b if a == name else a


def per_channel(value, channels):
    """A constant as one value per channel, or None when it has another shape."""
    if value is None:
        return None
    if value.size == 1:
        return np.full(channels, value.ravel()[0], dtype=np.float32)
    if value.size == channels and value.shape in ((channels,), (1, channels, 1, 1), (channels, 1, 1)):
        return value.ravel().astype(np.float32)
    return None


def conv_weights(g, conv):
    w = g.const(conv.input[1])
    if w is None or w.ndim != 4:
        return None, None
    bias = g.const(conv.input[2]) if len(conv.input) > 2 else np.zeros(w.shape[0], np.float32)
    return w, bias


def set_conv_inputs(g, conv, data, w, bias):
    w_name, b_name = conv.name + conv.output[0] + ".w", conv.name + conv.output[0] + ".b"
    g.set_const(w_name, w)
    g.set_const(b_name, bias)
    del conv.input[:]
    conv.input.extend([data, w_name, b_name])


def fold_affine_after_conv(g):
    folded = 0
    for conv in list(g.graph.node):
        if conv.op_type != "Conv":
            continue
        w, bias = conv_weights(g, conv)
        mul = g.sole_reader(conv.output[0])
        if w is None or mul is None or mul.op_type != "Mul":
            continue
        scale = per_channel(g.const(other_input(mul, conv.output[0])), w.shape[0])
        if scale is None:
            continue
        add = g.sole_reader(mul.output[0])
        shift = None
        if add is not None and add.op_type == "Add":
            shift = per_channel(g.const(other_input(add, mul.output[0])), w.shape[0])
        last = mul if shift is None else add
        shift = np.zeros_like(scale) if shift is None else shift
        set_conv_inputs(g, conv, conv.input[0], w * scale[:, None, None, None], bias * scale + shift)
        conv.output[0] = last.output[0]
        g.remove(mul, last)
        folded += 1
    return folded


def fuse_hard_swish(g):
    fused = 0
    for add in list(g.graph.node):
        if add.op_type != "Add" or len(add.input) != 2:
            continue
        x = next((i for i in add.input if g.const(i) is None), None)
        if x is None or not g.is_scalar(other_input(add, x), 3.0):
            continue
        clip = g.sole_reader(add.output[0])
        if clip is None or clip.op_type != "Clip" or len(clip.input) != 3:
            continue
        if not (g.is_scalar(clip.input[1], 0.0) and g.is_scalar(clip.input[2], 6.0)):
            continue
        mul = g.sole_reader(clip.output[0])
        if mul is None or mul.op_type != "Mul" or other_input(mul, clip.output[0]) != x:
            continue
        div = g.sole_reader(mul.output[0])
        if div is None or div.op_type != "Div" or div.input[0] != mul.output[0]:
            continue
        if not g.is_scalar(div.input[1], 6.0):
            continue
        # the new node takes the Div's place, so the nodes stay in order
        div.CopyFrom(helper.make_node("HardSwish", [x], [div.output[0]], name=div.output[0]))
        g.remove(add, clip, mul)
        fused += 1
    return fused


def pads_nothing(conv):
    for a in conv.attribute:
        if a.name == "pads" and any(a.ints):
            return False
        if a.name == "auto_pad" and a.s not in (b"NOTSET", b"VALID"):
            return False
    return True


def fold_affine_before_conv(g):
    folded = 0
    for mul in list(g.graph.node):
        if mul.op_type != "Mul" or len(mul.input) != 2:
            continue
        constants = [i for i in mul.input if g.const(i) is not None]
        if len(constants) != 1 or g.const(constants[0]).size != 1:
            continue
        add = g.sole_reader(mul.output[0])
        if add is None or add.op_type != "Add":
            continue
        t = g.const(other_input(add, mul.output[0]))
        conv = g.sole_reader(add.output[0])
        if t is None or t.size != 1 or conv is None or conv.op_type != "Conv":
            continue
        w, bias = conv_weights(g, conv)
        if w is None or conv.input[0] != add.output[0] or not pads_nothing(conv):
            continue
        s, t = float(g.const(constants[0]).ravel()[0]), float(t.ravel()[0])
        new_bias = bias + t * w.reshape(w.shape[0], -1).sum(axis=1)
        set_conv_inputs(g, conv, other_input(mul, constants[0]), w * s, new_bias)
        g.remove(mul, add)
        folded += 1
    return folded


def fuse(model):
    # HardSwish exists from opset 14; the converter rewrites what changed since
    # (Squeeze's axes become an input, for one)
    model = version_converter.convert_version(model, 14)
    counts = []
    for rewrite in (fold_affine_after_conv, fuse_hard_swish, fold_affine_before_conv):
        g = Graph(model.graph)
        counts.append(rewrite(g))
        g.commit()
    onnx.checker.check_model(model)
    return model, counts


def main(src, dst):
    model, (after, swish, before) = fuse(onnx.load(src))
    tmp = dst + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, dst)
    print(
        f"{src} → {dst}: {after} affine maps folded into the Conv they follow, "
        f"{swish} hard-swishes fused, {before} affine maps folded into the Conv they precede"
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
