"""Keras -> LiteRT: write a trained model's sub-networks as `.tflite` files for serving.

Every file is one function of one input to one output. Its graph computes any batch size, but the
file declares a batch of 1 (`fixed_batch`): LiteRT.js in the page refuses a declared batch of −1,
while Python's LiteRT resizes a batch-1 file to any batch (`strict=False`) with identical results.
So the page and the server run the same file. The files a page downloads (decoder, generator,
step, discriminator), and the encoders the server runs, store their weights as float16
(`half_weights`): half the bytes, pixels and latent means within about 1/1000 of float32. The weights are frozen into constants first: TensorFlow 2.21's
converter otherwise keeps them as resource variables, which LiteRT leaves uninitialised (NaN
images) after a resize. Imports TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from explorer.models.gan import CLASS_TABLE


def export_function(function, input_spec: tf.TensorSpec, path: Path, half: bool = False) -> int:
    """Trace `function(x) -> tensor`, freeze its weights, and write it as a `.tflite` file
    (with float16 weights if `half`: the files a page downloads)."""
    concrete = tf.function(function, input_signature=[input_spec]).get_concrete_function()
    frozen = convert_variables_to_constants_v2(concrete)
    flatbuffer = fixed_batch(tf.lite.TFLiteConverter.from_concrete_functions([frozen]).convert())
    if half:
        flatbuffer = half_weights(flatbuffer)
    Path(path).write_bytes(flatbuffer)
    return len(flatbuffer)


def fixed_batch(flatbuffer: bytes) -> bytes:
    """The same model with every tensor's declared batch (−1, dynamic) set to 1.

    Only the declared signature changes: the operators still compute whatever batch the
    interpreter is resized to, and the file keeps its size byte for byte."""
    import numpy as np
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(flatbuffer))
    for graph in model.subgraphs:
        for tensor in graph.tensors:
            if tensor.shapeSignature is not None:
                signature = np.asarray(tensor.shapeSignature)
                tensor.shapeSignature = np.where(signature == -1, 1, signature).astype(np.int32)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


# The inputs of an operator that hold its weights and biases: the tensors `half_weights` stores as float16.
WEIGHT_INPUTS = {
    "FULLY_CONNECTED": (1, 2),
    "CONV_2D": (1, 2),
    "DEPTHWISE_CONV_2D": (1, 2),
    "TRANSPOSE_CONV": (1, 3),
    "GATHER": (0,),
}


def half_weights(flatbuffer: bytes) -> bytes:
    """The same model with its weight matrices stored as float16, half the bytes to download.

    Each float32 weight tensor (the matrices and kernels of the operators in `WEIGHT_INPUTS`)
    becomes a float16 constant read through a DEQUANTIZE operator in front of the graph, the form
    TensorFlow's own float16 quantisation writes; arithmetic stays float32. Biases and small
    constants keep float32. Both runtimes (LiteRT in Python, LiteRT.js in the page) expand the
    weights once when the model is prepared, so the page and the server still compute the same
    thing from one file."""
    import numpy as np
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(flatbuffer))
    dequantize = _operator_code(model, schema.BuiltinOperator.DEQUANTIZE, version=3)
    for graph in model.subgraphs:
        weights = sorted(
            {
                int(op.inputs[slot])
                for op in graph.operators
                for slot in WEIGHT_INPUTS.get(flatbuffer_utils.opcode_to_name(model, op.opcodeIndex), ())
                if len(op.inputs) > slot and op.inputs[slot] >= 0
            }
        )
        unpack = []
        for index in weights:
            tensor = graph.tensors[index]
            buffer = model.buffers[tensor.buffer]
            if tensor.type != schema.TensorType.FLOAT32 or buffer.data is None or len(buffer.data) == 0:
                continue
            values = np.frombuffer(bytes(buffer.data), dtype=np.float32).astype(np.float16)
            half = schema.BufferT()
            half.data = np.frombuffer(values.tobytes(), dtype=np.uint8)
            model.buffers.append(half)
            stored = schema.TensorT()
            stored.name = tensor.name + b"/float16"
            stored.type = schema.TensorType.FLOAT16
            stored.shape = tensor.shape
            stored.buffer = len(model.buffers) - 1
            graph.tensors.append(stored)
            # The float32 tensor is now computed, not stored: an empty buffer of its own, as TensorFlow
            # writes it (LiteRT.js's XNNPack then unpacks the weights once, not at every call).
            buffer.data = None
            model.buffers.append(schema.BufferT())
            tensor.buffer = len(model.buffers) - 1
            op = schema.OperatorT()
            op.opcodeIndex = dequantize
            op.inputs = np.array([len(graph.tensors) - 1], dtype=np.int32)
            op.outputs = np.array([index], dtype=np.int32)
            unpack.append(op)
        graph.operators = unpack + list(graph.operators)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _operator_code(model, builtin: int, version: int) -> int:
    """The index of `builtin` in the model's operator codes, added if the model has none."""
    from tensorflow.lite.python import schema_py_generated as schema

    for index, code in enumerate(model.operatorCodes):
        if code.builtinCode == builtin:
            code.version = max(code.version, version)
            return index
    code = schema.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, 127)
    code.version = version
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def export_vae(model, folder: Path) -> dict:
    """Write encoder.tflite and decoder.tflite for a VAE or AE; returns the manifest's `files`.

    The encoder outputs [z_mean, z_log_var] concatenated (2D columns) for a VAE, z for an AE;
    the decoder outputs the image in [0, 1].
    """
    config = model.config

    def encode(image):
        encoded = model.encoder(image, training=False)
        return encoded if config.kind == "ae" else tf.concat(encoded, axis=-1)

    def decode(z):
        return tf.sigmoid(model.decoder(z, training=False))

    export_function(
        encode,
        tf.TensorSpec([None, *config.image_shape], tf.float32, name="image"),
        folder / "encoder.tflite",
        half=True,
    )
    export_function(
        decode, tf.TensorSpec([None, config.latent_dim], tf.float32, name="z"), folder / "decoder.tflite", half=True
    )
    return {"encoder": "encoder.tflite", "decoder": "decoder.tflite"}


def export_gan(model, folder: Path) -> dict:
    """Write generator.tflite (the moving-average generator): z (then a one-hot class, if
    conditional) -> image in [0, 1]."""
    config = model.config
    export_function(
        lambda z: model.ema_generator(z, training=False),
        tf.TensorSpec([None, config.input_dim], tf.float32, name="z"),
        folder / "generator.tflite",
        half=True,
    )
    return {"generator": "generator.tflite"}


def export_discriminator(model, folder: Path) -> dict:
    """Write discriminator.tflite: image in [0, 1] -> D's probability that it is a real training
    image, (N, 1); for a conditional GAN (N, classes): "a real 7?" for every class at once."""
    config = model.config

    judge = lambda images: tf.sigmoid(model.discriminator(images, training=False))  # noqa: E731
    if config.classes:
        # D(x, c) = logit(x) + <φ(x), e_c> (projection): every class's logit at once from one pass,
        # so the file's batch stays the image batch (LiteRT.js cannot grow a batch inside a model).
        import keras

        discriminator = model.discriminator
        head = discriminator.get_layer("logit")
        features = keras.Model(discriminator.inputs[0], [head.input, head.output])
        embedding = discriminator.get_layer("class_embedding").kernel  # (classes, F), or (table width, F)
        # Read through a class table, the product stays two (emoji: 3.7 MB, not 14 MB for 1,743 x 4,096).
        table = discriminator.get_layer(CLASS_TABLE).kernel if config.class_table else None  # (classes, width)

        def judge(images):
            phi, logit = features(images, training=False)
            projected = tf.matmul(phi, embedding, transpose_b=True)
            if table is not None:
                projected = tf.matmul(projected, table, transpose_b=True)
            return tf.sigmoid(logit + projected)

    export_function(
        judge,
        tf.TensorSpec([None, *config.image_shape], tf.float32, name="image"),
        folder / "discriminator.tflite",
        half=True,
    )
    return {"discriminator": "discriminator.tflite"}


def export_classifier(classifier, folder: Path) -> dict:
    """Write classifier.tflite (image -> class probabilities) and features.tflite (image -> features)."""
    from explorer.models.classifier import feature_model

    spec = tf.TensorSpec([None, *classifier.input_shape[1:]], tf.float32, name="image")
    export_function(lambda x: tf.nn.softmax(classifier(x, training=False)), spec, folder / "classifier.tflite")
    features = feature_model(classifier)
    export_function(lambda x: features(x, training=False), spec, folder / "features.tflite")
    return {"classifier": "classifier.tflite", "features": "features.tflite"}
