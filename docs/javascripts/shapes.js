/**
 * convnotes shape arithmetic for the browser: a line-by-line mirror of
 * src/convnotes/shapes.py (the one source of truth).
 *
 * Every function takes ONE object, e.g.
 *   convOutputSize({input: 32, kernel: 3, stride: 2, padding: 1})            -> 16
 *   convTransposeOutputSize({input: [16, 8], kernel: 3, stride: 2, padding: 1,
 *                            outputPadding: 1})                               -> [32, 16]
 *   outputPaddingFor({input: 16, output: 32, kernel: 3, stride: 2, padding: 1}) -> 1
 * Numbers in -> number out; any array in -> array out (numbers are broadcast).
 * Where Python raises ConvArgumentError this throws a ConvArgumentError (an Error)
 * whose message is the Python message word for word, with `.param` naming the
 * parameter (Python's name, e.g. "output_padding") and `.rule` a short key.
 *
 * Checks run in the same order as in Python, so the same argument is blamed.
 * One difference is unavoidable: JavaScript has no separate float type, so 2.0 is
 * the integer 2 here while Python rejects the float 2.0.
 *
 * Symbols: i input, k kernel, s stride, p padding, d dilation, a output_padding, o output.
 */
(function (root) {
  "use strict";

  const PADDING_STRINGS = ["same", "valid"];

  class ConvArgumentError extends Error {
    constructor(param, rule, message) {
      super(message);
      this.name = "ConvArgumentError";
      this.param = param;
      this.rule = rule;
    }
  }

  // ---- Python repr(), so messages read exactly like the Python ones ----

  function pyStr(text) {
    const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
    let body = text.replace(/\\/g, "\\\\");
    if (quote === "'") body = body.replace(/'/g, "\\'");
    body = body.replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
    return quote + body + quote;
  }

  function pyFloat(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (Number.isInteger(x)) return String(x);
    const text = String(x);
    // JS writes 1e-7 / 1e+21, Python 1e-07 / 1e+21.
    return text.replace(/e([+-])(\d)$/, "e$10$2");
  }

  function pyRepr(value) {
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (typeof value === "number") return pyFloat(value);
    if (typeof value === "string") return pyStr(value);
    if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
    if (value instanceof Tuple) {
      const items = value.items.map(pyRepr);
      return "(" + items.join(", ") + (items.length === 1 ? ",)" : ")");
    }
    return pyStr(String(value));
  }

  /** A Python tuple: only used so that messages print (1, 2) where Python does. */
  class Tuple {
    constructor(items) {
      this.items = items;
    }
  }

  const tuple = (items) => new Tuple(items);

  // ---- the helpers of shapes.py ----

  const isSequence = (value) => Array.isArray(value);

  function checkInt(name, value) {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new ConvArgumentError(
        name,
        "integer",
        `${name} must be an integer, got ${pyRepr(value)}`
      );
    }
    return value;
  }

  /** The number of spatial dimensions the array arguments agree on (null if all numbers). */
  function ndimOf(params) {
    let ndim = null;
    let first = null;
    for (const [name, value] of params) {
      if (!isSequence(value)) continue;
      const n = value.length;
      if (n === 0) {
        throw new ConvArgumentError(
          name,
          "nonempty",
          `${name} must have at least one value, got ${pyRepr(value)}`
        );
      }
      if (ndim === null) {
        ndim = n;
        first = name;
      } else if (n !== ndim) {
        throw new ConvArgumentError(
          name,
          "ndim",
          `${name} has ${n} values but ${first} has ${ndim}: ` +
            "give one value per spatial dimension, or a single int for all of them"
        );
      }
    }
    return ndim;
  }

  /** `value` as an array of `ndim` integers: a number is repeated, an array is checked. */
  function expand(name, value, ndim) {
    if (isSequence(value)) {
      let values = value.slice();
      if (values.length === 1 && ndim !== 1) values = Array(ndim).fill(values[0]);
      if (values.length !== ndim) {
        throw new ConvArgumentError(
          name,
          "ndim",
          `expected ${name} to be a single integer value or a list of ${ndim} values ` +
            `to match the convolution dimensions, but got ${name}=${pyRepr(values)}`
        );
      }
      return values.map((v) => checkInt(name, v));
    }
    return Array(ndim).fill(checkInt(name, value));
  }

  const result = (values, ndim) => (ndim !== null ? values : values[0]);
  const show = (values) => (values.length === 1 ? values[0] : tuple(values));
  /** What Python's `_result` prints: an int, or a tuple. */
  const shown = (values, ndim) => (ndim !== null ? tuple(values) : values[0]);

  function checkAtLeast(name, values, low, rule, key) {
    for (const v of values) {
      if (v < low) {
        throw new ConvArgumentError(name, key, `${name}=${pyRepr(show(values))}: ${rule}`);
      }
    }
  }

  function checkCommon(inputs, kernels, strides, dilations, inputName = "input_size") {
    checkAtLeast(
      inputName,
      inputs,
      1,
      "every spatial size must be at least 1 (PyTorch rejects empty " +
        "spatial dimensions; only the batch or channel dimension may be 0)",
      "positive"
    );
    checkAtLeast("kernel_size", kernels, 1, "kernel size should be greater than zero", "positive");
    checkAtLeast("stride", strides, 1, "non-positive stride is not supported", "positive");
    checkAtLeast("dilation", dilations, 1, "dilation should be greater than zero", "positive");
  }

  const zip = (...arrays) => arrays[0].map((_, j) => arrays.map((a) => a[j]));
  const floorDiv = (a, b) => Math.floor(a / b);

  /** The span of a dilated kernel: d*(k - 1) + 1. */
  function effectiveKernelSize({ kernel, dilation = 1 }) {
    const ndim = ndimOf([
      ["kernel_size", kernel],
      ["dilation", dilation],
    ]);
    const n = ndim || 1;
    const ks = expand("kernel_size", kernel, n);
    const ds = expand("dilation", dilation, n);
    checkAtLeast("kernel_size", ks, 1, "kernel size should be greater than zero", "positive");
    checkAtLeast("dilation", ds, 1, "dilation should be greater than zero", "positive");
    return result(
      zip(ks, ds).map(([k, d]) => d * (k - 1) + 1),
      ndim
    );
  }

  /** [before, after] per dimension for padding="same": total d*(k-1), the odd pixel after. */
  function samePadding({ kernel, dilation = 1 }) {
    const ndim =
      ndimOf([
        ["kernel_size", kernel],
        ["dilation", dilation],
      ]) || 1;
    const ks = expand("kernel_size", kernel, ndim);
    const ds = expand("dilation", dilation, ndim);
    return zip(ks, ds).map(([k, d]) => {
      const total = d * (k - 1);
      return [floorDiv(total, 2), total - floorDiv(total, 2)];
    });
  }

  /** Resolve padding (numbers, an array, "same" or "valid") to [before, after] pairs. */
  function convPadding({ padding, kernel, stride = 1, dilation = 1 }) {
    const ndim =
      ndimOf([
        ["kernel_size", kernel],
        ["stride", stride],
        ["dilation", dilation],
        ["padding", padding],
      ]) || 1;
    if (typeof padding === "string") {
      if (!PADDING_STRINGS.includes(padding)) {
        throw new ConvArgumentError(
          "padding",
          "padding-string",
          `padding=${pyRepr(padding)}: invalid padding string, should be one of ` +
            "'same', 'valid' or an integer / tuple of integers"
        );
      }
      if (padding === "valid") return Array.from({ length: ndim }, () => [0, 0]);
      const strides = expand("stride", stride, ndim);
      if (strides.some((s) => s !== 1)) {
        throw new ConvArgumentError(
          "padding",
          "same-stride",
          `padding='same' with stride=${pyRepr(show(strides))}: padding='same' is not ` +
            "supported for strided convolutions (every stride must be 1)"
        );
      }
      return samePadding({
        kernel: expand("kernel_size", kernel, ndim),
        dilation: expand("dilation", dilation, ndim),
      });
    }
    const pads = expand("padding", padding, ndim);
    checkAtLeast("padding", pads, 0, "negative padding is not supported", "nonnegative");
    return pads.map((p) => [p, p]);
  }

  /**
   * Output size of nn.Conv*d:  o = floor((i + 2p - d*(k - 1) - 1) / s) + 1
   * padding may be "valid" or "same" (o = i, stride 1 only).
   */
  function convOutputSize({ input, kernel, stride = 1, padding = 0, dilation = 1 }) {
    const ndim = ndimOf([
      ["input_size", input],
      ["kernel_size", kernel],
      ["stride", stride],
      ["padding", padding],
      ["dilation", dilation],
    ]);
    const n = ndim || 1;
    const inputs = expand("input_size", input, n);
    const kernels = expand("kernel_size", kernel, n);
    const strides = expand("stride", stride, n);
    const dilations = expand("dilation", dilation, n);
    checkCommon(inputs, kernels, strides, dilations);
    const pads = convPadding({ padding, kernel: kernels, stride: strides, dilation: dilations });
    const out = [];
    for (let axis = 0; axis < n; axis++) {
      const [i, k, s, d] = [inputs[axis], kernels[axis], strides[axis], dilations[axis]];
      const [before, after] = pads[axis];
      const padded = i + before + after;
      const span = d * (k - 1) + 1;
      if (span > padded) {
        const where = n > 1 ? ` (dimension ${axis})` : "";
        throw new ConvArgumentError(
          "kernel_size",
          "kernel-too-large",
          `kernel_size=${k} with dilation=${d} spans ${span} but the padded input is only ` +
            `${padded} (input_size=${i} + padding ${before}+${after})${where}: ` +
            "kernel size can't be greater than the padded input size"
        );
      }
      out.push(floorDiv(padded - span, s) + 1);
    }
    return result(out, ndim);
  }

  function checkTransposeParams(inputs, kernels, strides, pads, dilations) {
    checkCommon(inputs, kernels, strides, dilations);
    checkAtLeast("padding", pads, 0, "negative padding is not supported", "nonnegative");
  }

  function minTransposeSizes(inputs, kernels, strides, pads, dilations) {
    return inputs.map(
      (i, j) => (i - 1) * strides[j] - 2 * pads[j] + dilations[j] * (kernels[j] - 1) + 1
    );
  }

  function rejectStringPadding(padding, extra) {
    if (typeof padding === "string") {
      throw new ConvArgumentError(
        "padding",
        "transpose-padding-string",
        `padding=${pyRepr(padding)}: transposed convolution takes integer padding only${extra}`
      );
    }
  }

  /**
   * Output size of nn.ConvTranspose*d:  o = (i - 1)*s - 2p + d*(k - 1) + a + 1
   * with 0 <= a < s or 0 <= a < d per dimension, and o >= 1.
   */
  function convTransposeOutputSize({
    input,
    kernel,
    stride = 1,
    padding = 0,
    outputPadding = 0,
    dilation = 1,
  }) {
    rejectStringPadding(padding, " ('same'/'valid' exist only for the forward convolution)");
    const ndim = ndimOf([
      ["input_size", input],
      ["kernel_size", kernel],
      ["stride", stride],
      ["padding", padding],
      ["output_padding", outputPadding],
      ["dilation", dilation],
    ]);
    const n = ndim || 1;
    const inputs = expand("input_size", input, n);
    const kernels = expand("kernel_size", kernel, n);
    const strides = expand("stride", stride, n);
    const pads = expand("padding", padding, n);
    const outPads = expand("output_padding", outputPadding, n);
    const dilations = expand("dilation", dilation, n);
    checkTransposeParams(inputs, kernels, strides, pads, dilations);
    checkAtLeast(
      "output_padding",
      outPads,
      0,
      "negative output_padding is not supported",
      "nonnegative"
    );
    for (let j = 0; j < n; j++) {
      const [a, s, d] = [outPads[j], strides[j], dilations[j]];
      if (a >= s && a >= d) {
        throw new ConvArgumentError(
          "output_padding",
          "output-padding-too-large",
          `output_padding=${pyRepr(outputPadding)} with stride=${pyRepr(stride)} and ` +
            `dilation=${pyRepr(dilation)}: output padding must be smaller than either stride ` +
            `or dilation in every dimension (got output_padding ${a}, stride ${s}, dilation ${d})`
        );
      }
    }
    const mins = minTransposeSizes(inputs, kernels, strides, pads, dilations);
    const out = mins.map((m, j) => m + outPads[j]);
    if (out.some((o) => o < 1)) {
      throw new ConvArgumentError(
        "input_size",
        "output-too-small",
        `input_size=${pyRepr(input)} with kernel_size=${pyRepr(kernel)}, ` +
          `stride=${pyRepr(stride)}, padding=${pyRepr(padding)}, ` +
          `output_padding=${pyRepr(outputPadding)}, dilation=${pyRepr(dilation)} gives ` +
          `an output size of ${pyRepr(shown(out, ndim))}: output size is too small ` +
          "(every output size must be at least 1; reduce padding)"
      );
    }
    return result(out, ndim);
  }

  /**
   * The sizes ConvTranspose*d.forward(x, output_size=...) accepts: [lo, hi] with
   * lo = (i - 1)*s - 2p + d*(k - 1) + 1 and hi = lo + s - 1.
   */
  function outputSizeRange({ input, kernel, stride = 1, padding = 0, dilation = 1 }) {
    rejectStringPadding(padding, "");
    const ndim = ndimOf([
      ["input_size", input],
      ["kernel_size", kernel],
      ["stride", stride],
      ["padding", padding],
      ["dilation", dilation],
    ]);
    const n = ndim || 1;
    const inputs = expand("input_size", input, n);
    const kernels = expand("kernel_size", kernel, n);
    const strides = expand("stride", stride, n);
    const pads = expand("padding", padding, n);
    const dilations = expand("dilation", dilation, n);
    checkTransposeParams(inputs, kernels, strides, pads, dilations);
    const lo = minTransposeSizes(inputs, kernels, strides, pads, dilations);
    const hi = lo.map((m, j) => m + strides[j] - 1);
    return [result(lo, ndim), result(hi, ndim)];
  }

  /**
   * The output_padding that ConvTranspose*d.forward(x, output_size=o) uses:
   * a = o - ((i - 1)*s - 2p + d*(k - 1) + 1), valid when lo <= o <= lo + s - 1.
   */
  function outputPaddingFor({ input, output, kernel, stride = 1, padding = 0, dilation = 1 }) {
    const ndim = ndimOf([
      ["input_size", input],
      ["output_size", output],
      ["kernel_size", kernel],
      ["stride", stride],
      ["padding", padding],
      ["dilation", dilation],
    ]);
    const n = ndim || 1;
    const inputs = expand("input_size", input, n);
    const kernels = expand("kernel_size", kernel, n);
    const strides = expand("stride", stride, n);
    const pads = typeof padding === "string" ? padding : expand("padding", padding, n);
    const dilations = expand("dilation", dilation, n);
    const [lo, hi] = outputSizeRange({
      input: inputs,
      kernel: kernels,
      stride: strides,
      padding: pads,
      dilation: dilations,
    });
    const outs = expand("output_size", output, n);
    for (let j = 0; j < n; j++) {
      if (!(lo[j] <= outs[j] && outs[j] <= hi[j])) {
        throw new ConvArgumentError(
          "output_size",
          "output-size-range",
          `output_size=${pyRepr(shown(outs, ndim))}: requested an output size of ` +
            `${pyRepr(shown(outs, ndim))}, but valid sizes range from ` +
            `${pyRepr(shown(lo, ndim))} to ${pyRepr(shown(hi, ndim))} ` +
            `(for an input of ${pyRepr(input)})`
        );
      }
    }
    checkAtLeast(
      "output_size",
      outs,
      1,
      "output size is too small (every output size must be at least 1)",
      "positive"
    );
    return result(
      outs.map((o, j) => o - lo[j]),
      ndim
    );
  }


  // ---- inverse design + chain planner (mirror of src/convnotes/design.py) ----

  /** Whether a transposed conv with this kernel and stride has even overlap (no checkerboard). */
  const evenOverlap = (kernel, stride) => kernel % stride === 0;

  function attempt(fn) {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ConvArgumentError) return undefined;
      throw error;
    }
  }

  function byKeys(keys) {
    return (x, y) => {
      for (const key of keys) {
        const diff = key(x) - key(y);
        if (diff !== 0) return diff;
      }
      return 0;
    };
  }

  const SIMPLEST_FIRST = byKeys([
    (c) => c.kernel + c.stride + c.padding + c.outputPadding,
    (c) => (c.evenOverlap ? 0 : 1),
    (c) => c.outputPadding,
    (c) => c.padding,
    (c) => c.kernel,
    (c) => c.stride,
  ]);

  /** Every (kernel, stride, padding, output_padding) of a ConvTranspose mapping input -> output. */
  function solveConvTranspose({ input, output, maxKernel = 7, maxStride = 4 }) {
    checkInt("input_size", input);
    checkInt("output_size", output);
    const choices = [];
    for (let kernel = 1; kernel <= maxKernel; kernel++) {
      for (let stride = 1; stride <= maxStride; stride++) {
        for (let outputPadding = 0; outputPadding < stride; outputPadding++) {
          const twice = (input - 1) * stride + kernel + outputPadding - output;
          if (twice < 0 || twice % 2 !== 0) continue;
          const padding = twice / 2;
          const args = { input, kernel, stride, padding, outputPadding };
          if (attempt(() => convTransposeOutputSize(args)) !== output) continue;
          choices.push({
            kernel,
            stride,
            padding,
            outputPadding,
            dilation: 1,
            evenOverlap: evenOverlap(kernel, stride),
          });
        }
      }
    }
    return choices.sort(SIMPLEST_FIRST);
  }

  /** Every (kernel, stride, padding) of a Conv mapping input -> output. */
  function solveConv({ input, output, maxKernel = 7, maxStride = 4 }) {
    checkInt("input_size", input);
    checkInt("output_size", output);
    const choices = [];
    for (let kernel = 1; kernel <= maxKernel; kernel++) {
      for (let stride = 1; stride <= maxStride; stride++) {
        for (let padding = 0; padding < kernel; padding++) {
          const args = { input, kernel, stride, padding };
          if (attempt(() => convOutputSize(args)) !== output) continue;
          choices.push({
            kernel,
            stride,
            padding,
            outputPadding: 0,
            dilation: 1,
            evenOverlap: true,
          });
        }
      }
    }
    return choices.sort(SIMPLEST_FIRST);
  }

  const sameSize = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  const isDownsampling = (spec) =>
    spec.kind === "conv" && [].concat(spec.stride ?? 1).some((s) => s > 1);
  const isUpsampling = (spec) =>
    spec.kind === "transpose" && [].concat(spec.stride ?? 1).some((s) => s > 1);

  /**
   * Every intermediate size of a stack of layers. spec: {kind: "conv"|"transpose", kernel,
   * stride, padding, dilation, outputPadding, expected?}. An upsampling layer with no
   * `expected` is expected to undo the latest downsampling layer not yet undone (U-Net).
   */
  function planChain({ input, layers }) {
    const steps = [];
    const pending = [];
    let size = input;
    for (const spec of layers) {
      const step = { spec, inputSize: size, outputSize: null, expected: null, ok: true, message: "" };
      steps.push(step);
      const args = { ...spec, input: size };
      try {
        step.outputSize =
          spec.kind === "transpose" ? convTransposeOutputSize(args) : convOutputSize(args);
      } catch (error) {
        if (!(error instanceof ConvArgumentError)) throw error;
        step.ok = false;
        step.error = error;
        step.message = error.message;
        break;
      }
      if (isDownsampling(spec)) pending.push(size);
      const mirrored = isUpsampling(spec) ? pending.pop() : undefined;
      step.expected = spec.expected ?? mirrored ?? null;
      if (step.expected !== null && !sameSize(step.expected, step.outputSize)) {
        step.ok = false;
        step.message = `output ${pyRepr(step.outputSize)} != expected ${pyRepr(step.expected)}`;
      }
      size = step.outputSize;
    }
    return { steps, ok: steps.every((s) => s.ok) };
  }

  const api = {
    ConvArgumentError,
    PADDING_STRINGS,
    convOutputSize,
    convTransposeOutputSize,
    outputPaddingFor,
    outputSizeRange,
    effectiveKernelSize,
    samePadding,
    convPadding,
    expand,
    pyRepr,
    evenOverlap,
    solveConvTranspose,
    solveConv,
    planChain,
  };

  root.convnotes = Object.assign(root.convnotes || {}, api);
  if (typeof module === "object" && module.exports) module.exports = root.convnotes;
})(typeof window !== "undefined" ? window : globalThis);
