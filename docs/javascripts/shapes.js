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
    return checkSafe(name, value);
  }

  /**
   * JavaScript numbers hold integers exactly only up to 2^53 − 1 (1e20 "is" an integer but
   * not the one typed): beyond that, sizes would come out wrong, so they are refused.
   * Python has no such limit; this is the one rule the mirror adds.
   */
  function checkSafe(name, value) {
    if (!Number.isSafeInteger(value)) {
      throw new ConvArgumentError(
        name,
        "safe-integer",
        `${name}=${pyRepr(value)}: integers beyond ±(2^53 − 1) = ±${Number.MAX_SAFE_INTEGER} ` +
          "cannot be computed exactly in the browser"
      );
    }
    return value;
  }

  /** A result beyond the safe range (say (i − 1)·s for a huge i) is refused like an input. */
  function checkSafeResult(values) {
    for (const v of values) checkSafe("input_size", v);
    return values;
  }

  // Sizes fix the number of dimensions; the other parameters broadcast from one value.
  const SIZE_PARAMETERS = ["input_size", "output_size", "kernel_size"];

  /**
   * The number of spatial dimensions the array arguments agree on (null if all numbers).
   * input_size, output_size and kernel_size fix it; a one-element stride, padding,
   * dilation or output_padding broadcasts like a number, as in PyTorch (stride=[2]).
   */
  function ndimOf(params) {
    const lengths = params.filter(([, value]) => isSequence(value)).map(([n, v]) => [n, v.length]);
    for (const [name, n] of lengths) {
      if (n === 0) {
        const value = params.find(([other]) => other === name)[1];
        throw new ConvArgumentError(
          name,
          "nonempty",
          `${name} must have at least one value, got ${pyRepr(value)}`
        );
      }
    }
    if (lengths.length === 0) return null;
    const sized = lengths.filter(([name]) => SIZE_PARAMETERS.includes(name));
    const [first, ndim] = sized.length
      ? sized[0]
      : lengths.reduce((best, item) => (item[1] > best[1] ? item : best));
    for (const [name, n] of lengths) {
      const broadcasts = n === 1 && !SIZE_PARAMETERS.includes(name);
      if (n !== ndim && !broadcasts) {
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
    checkAtLeast("kernel_size", ks, 1, "kernel size should be greater than zero", "positive");
    checkAtLeast("dilation", ds, 1, "dilation should be greater than zero", "positive");
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
    return result(checkSafeResult(out), ndim);
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
    const mins = checkSafeResult(minTransposeSizes(inputs, kernels, strides, pads, dilations));
    const out = checkSafeResult(mins.map((m, j) => m + outPads[j]));
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
    const lo = checkSafeResult(minTransposeSizes(inputs, kernels, strides, pads, dilations));
    const hi = checkSafeResult(lo.map((m, j) => m + strides[j] - 1));
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

  /**
   * Output size of nn.MaxPool*d / nn.AvgPool*d (stride defaults to kernel):
   * o = floor((i + 2p - d*(k - 1) - 1)/s) + 1, with ceilMode the ceiling, minus one when
   * that last window would start in the right padding ((o - 1)*s >= i + p).
   * Rules: p <= k/2 and o >= 1.
   */
  function poolOutputSize({ input, kernel, stride = null, padding = 0, dilation = 1, ceilMode = false }) {
    if (stride === null || stride === undefined || (isSequence(stride) && stride.length === 0)) {
      stride = kernel;
    }
    if (typeof ceilMode !== "boolean") {
      throw new ConvArgumentError(
        "ceil_mode",
        "boolean",
        `ceil_mode=${pyRepr(ceilMode)}: must be True or False`
      );
    }
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
    checkCommon(inputs, kernels, strides, dilations);
    checkAtLeast("padding", pads, 0, "pad must be non-negative", "nonnegative");
    for (let j = 0; j < n; j++) {
      if (2 * pads[j] > kernels[j]) {
        throw new ConvArgumentError(
          "padding",
          "pool-padding",
          `padding=${pyRepr(show(pads))} with kernel_size=${pyRepr(show(kernels))}: pad should ` +
            "be at most half of kernel size"
        );
      }
    }
    const out = inputs.map((i, j) => {
      const [k, s, p, d] = [kernels[j], strides[j], pads[j], dilations[j]];
      const span = i + 2 * p - d * (k - 1) - 1;
      let o = floorDiv(span + (ceilMode ? s - 1 : 0), s) + 1;
      if (ceilMode && (o - 1) * s >= i + p) o -= 1;
      return o;
    });
    if (Math.min(...out) < 1) {
      throw new ConvArgumentError(
        "input_size",
        "output-too-small",
        `input_size=${pyRepr(show(inputs))} gives an output size of ${pyRepr(show(out))}: ` +
          "output size is too small"
      );
    }
    return result(checkSafeResult(out), ndim);
  }

  /** Output size of nn.Upsample: `size` if given, else o = floor(i * scaleFactor). */
  function upsampleOutputSize({ input, size = null, scaleFactor = null }) {
    if ((size === null) === (scaleFactor === null)) {
      throw new ConvArgumentError(
        "size",
        "upsample-one-of",
        `size=${pyRepr(size)}, scale_factor=${pyRepr(scaleFactor)}: give exactly one of size ` +
          "or scale_factor"
      );
    }
    if (size !== null) {
      const ndim = ndimOf([
        ["input_size", input],
        ["output_size", size],
      ]);
      const n = ndim || 1;
      expand("input_size", input, n);
      const outs = expand("size", size, n);
      checkAtLeast("size", outs, 1, "every output size must be at least 1", "positive");
      return result(outs, ndim);
    }
    const scales = isSequence(scaleFactor) ? scaleFactor : [scaleFactor];
    let ndim = ndimOf([["input_size", input]]);
    if (ndim === null && scales.length > 1) ndim = scales.length;
    const n = ndim || 1;
    if (scales.length !== 1 && scales.length !== n) {
      throw new ConvArgumentError(
        "scale_factor",
        "ndim",
        `scale_factor=${pyRepr(scaleFactor)}: give one value or ${n}`
      );
    }
    const inputs = expand("input_size", input, n);
    const factors = scales.length === 1 ? Array(n).fill(scales[0]) : scales;
    for (const f of factors) {
      if (typeof f !== "number" || !(f > 0)) {
        throw new ConvArgumentError(
          "scale_factor",
          "positive",
          `scale_factor=${pyRepr(scaleFactor)}: must be a positive number`
        );
      }
    }
    checkAtLeast("input_size", inputs, 1, "every spatial size must be at least 1", "positive");
    const outs = inputs.map((i, j) => Math.floor(i * factors[j]));
    checkAtLeast("scale_factor", outs, 1, "output size is too small", "positive");
    return result(checkSafeResult(outs), ndim);
  }

  // ---- formulas with the numbers in: a mirror of src/convnotes/explain.py (text only) ----

  /** explain._per_dimension: one line per dimension, "dim j: " in front when arrays came in. */
  function perDimension(result, line) {
    const values = Array.isArray(result) ? result : [result];
    return values
      .map((value, axis) => (Array.isArray(result) ? `dim ${axis}: ` : "") + line(axis, value))
      .join("\n");
  }

  /** explain.explain_conv_output_size: o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 with the numbers in. */
  function explainConvOutputSize({ input, kernel, stride = 1, padding = 0, dilation = 1 }) {
    const result = convOutputSize({ input, kernel, stride, padding, dilation });
    const n = Array.isArray(result) ? result.length : 1;
    const i = expand("input_size", input, n);
    const k = expand("kernel_size", kernel, n);
    const s = expand("stride", stride, n);
    const d = expand("dilation", dilation, n);
    const pads = convPadding({ padding, kernel: k, stride: s, dilation: d });
    const text = perDimension(result, (axis, value) => {
      const [before, after] = pads[axis];
      const [symP, numP] = before === after ? ["2p", `2·${before}`] : ["p₁ + p₂", `${before} + ${after}`];
      const num = `${i[axis]} + ${numP} − ${d[axis]}·(${k[axis]}−1) − 1`;
      return `o = ⌊(i + ${symP} − d(k−1) − 1)/s⌋ + 1 = ⌊(${num})/${s[axis]}⌋ + 1 = ${value}`;
    });
    return { result, text };
  }

  /** explain.explain_conv_transpose_output_size: o = (i − 1)·s − 2p + d(k−1) + a + 1. */
  function explainConvTransposeOutputSize({
    input,
    kernel,
    stride = 1,
    padding = 0,
    outputPadding = 0,
    dilation = 1,
  }) {
    const result = convTransposeOutputSize({ input, kernel, stride, padding, outputPadding, dilation });
    const n = Array.isArray(result) ? result.length : 1;
    const [i, k, s, p, a, d] = [
      ["input_size", input],
      ["kernel_size", kernel],
      ["stride", stride],
      ["padding", padding],
      ["output_padding", outputPadding],
      ["dilation", dilation],
    ].map(([name, value]) => expand(name, value, n));
    const text = perDimension(result, (axis, value) => {
      const num =
        `(${i[axis]} − 1)·${s[axis]} − 2·${p[axis]} + ${d[axis]}·(${k[axis]}−1) + ` +
        `${a[axis]} + 1`;
      return `o = (i − 1)·s − 2p + d(k−1) + a + 1 = ${num} = ${value}`;
    });
    return { result, text };
  }

  /** explain.explain_output_padding_for: a = o − [(i − 1)·s − 2p + d(k−1) + 1]. */
  function explainOutputPaddingFor({ input, output, kernel, stride = 1, padding = 0, dilation = 1 }) {
    const result = outputPaddingFor({ input, output, kernel, stride, padding, dilation });
    const n = Array.isArray(result) ? result.length : 1;
    const [i, o, k, s, p, d] = [
      ["input_size", input],
      ["output_size", output],
      ["kernel_size", kernel],
      ["stride", stride],
      ["padding", padding],
      ["dilation", dilation],
    ].map(([name, value]) => expand(name, value, n));
    const text = perDimension(result, (axis, value) => {
      const low = `(${i[axis]} − 1)·${s[axis]} − 2·${p[axis]} + ${d[axis]}·(${k[axis]}−1) + 1`;
      return `a = o − [(i − 1)·s − 2p + d(k−1) + 1] = ${o[axis]} − [${low}] = ${value}`;
    });
    return { result, text };
  }


  // ---- inverse design + chain planner: a mirror of src/convnotes/design.py ----

  /** Kernel taps landing on each of the `stride` phases of the output (design.overlap_profile). */
  function overlapProfile(kernel, stride, dilation = 1) {
    const counts = Array(stride).fill(0);
    for (let tap = 0; tap < kernel; tap++) counts[(tap * dilation) % stride] += 1;
    return counts;
  }

  const asArray = (value) => (Array.isArray(value) ? value : [value]);
  const isPlainInt = (v) => typeof v === "number" && Number.isInteger(v);
  const sum = (values) => values.reduce((x, y) => x + y, 0);

  /** design.SOLVER_LIMITS: the largest bounds the solvers accept (a bound on their work). */
  const SOLVER_LIMITS = { max_kernel: 16, max_stride: 16, dilation: 8, max_padding: 64, ndim: 3 };

  function checkBounds(maxKernel, maxStride, dilation, maxPadding) {
    for (const [name, value] of [
      ["max_kernel", maxKernel],
      ["max_stride", maxStride],
    ]) {
      if (!isPlainInt(value) || value < 1) {
        throw new ConvArgumentError(
          name,
          "positive",
          `${name}=${pyRepr(value)}: must be an integer of at least 1`
        );
      }
    }
    if (!isPlainInt(dilation) || dilation < 1) {
      throw new ConvArgumentError(
        "dilation",
        "positive",
        `dilation=${pyRepr(dilation)}: the solver takes one integer dilation of at least 1`
      );
    }
    if (maxPadding !== null && (!isPlainInt(maxPadding) || maxPadding < 0)) {
      throw new ConvArgumentError(
        "max_padding",
        "nonnegative",
        `max_padding=${pyRepr(maxPadding)}: must be an integer of at least 0`
      );
    }
    for (const [name, value] of [
      ["max_kernel", maxKernel],
      ["max_stride", maxStride],
      ["dilation", dilation],
      ["max_padding", maxPadding],
    ]) {
      if (value !== null && value > SOLVER_LIMITS[name]) {
        throw new ConvArgumentError(
          name,
          "solver-limit",
          `${name}=${value}: the solver searches at most ${name}=${SOLVER_LIMITS[name]} ` +
            "(a bound on its work)"
        );
      }
    }
  }

  function solverSizes(input, output) {
    const isSeq = !isPlainInt(input) || !isPlainInt(output);
    const n = Math.max(...[input, output].map((v) => (Array.isArray(v) ? v.length : 1)));
    const ins = Array.isArray(input) ? input.slice() : Array(n).fill(input);
    const outs = Array.isArray(output) ? output.slice() : Array(n).fill(output);
    if (ins.length !== outs.length) {
      throw new ConvArgumentError(
        "input_size",
        "ndim",
        `input_size=${pyRepr(input)} and output_size=${pyRepr(output)} have different ` +
          "numbers of dimensions"
      );
    }
    for (const [name, values, raw] of [
      ["input_size", ins, input],
      ["output_size", outs, output],
    ]) {
      for (const v of values) {
        if (!isPlainInt(v) || v < 1) {
          throw new ConvArgumentError(
            name,
            "positive",
            `${name}=${pyRepr(raw)}: every size must be an integer of at least 1`
          );
        }
        checkSafe(name, v);
      }
    }
    if (ins.length > SOLVER_LIMITS.ndim) {
      throw new ConvArgumentError(
        "input_size",
        "solver-limit",
        `input_size=${pyRepr(input)}: the solver takes at most ${SOLVER_LIMITS.ndim} ` +
          "spatial dimensions"
      );
    }
    return [ins, outs, isSeq];
  }

  /**
   * Per dimension, the output_padding with which shapes maps ins to outs (null: none does).
   * The only candidate is a = o − lo (outputSizeRange); convTransposeOutputSize checks it.
   */
  function matchingOutputPadding(kind, ins, outs, k, s, p, d) {
    const chosen = [];
    for (let j = 0; j < ins.length; j++) {
      const args = { input: ins[j], kernel: k, stride: s, padding: p, dilation: d };
      const a = kind === "conv" ? 0 : outs[j] - outputSizeRange(args)[0];
      const size = attempt(() =>
        kind === "conv"
          ? convOutputSize(args)
          : convTransposeOutputSize({ ...args, outputPadding: a })
      );
      if (size !== outs[j]) return null;
      chosen.push(a);
    }
    return chosen;
  }

  function attempt(fn) {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ConvArgumentError) return undefined;
      throw error;
    }
  }

  /** design.Choice.sort_key: no gaps, stride near the size ratio, k, p, a, even overlap. */
  function sortKey(c) {
    const ins = asArray(c.inputSize);
    const outs = asArray(c.outputSize);
    const ratio = c.kind === "transpose" ? sum(outs) / sum(ins) : sum(ins) / sum(outs);
    return [
      c.gaps ? 1 : 0,
      Math.abs(c.stride - ratio),
      c.kernel,
      c.padding,
      Math.max(...asArray(c.outputPadding)),
      c.evenOverlap ? 0 : 1,
    ];
  }

  function compareKeys(x, y) {
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return x[j] < y[j] ? -1 : 1;
    return 0;
  }

  /** design.Choice.pytorch: the PyTorch line to copy. */
  function choiceLine(c, inChannels = null, outChannels = null, ndim = null) {
    const dims = ndim ?? (Array.isArray(c.inputSize) ? c.inputSize.length : 2);
    const name = c.kind === "transpose" ? "ConvTranspose" : "Conv";
    const args = [
      inChannels === null ? "in_channels" : `${inChannels}`,
      outChannels === null ? "out_channels" : `${outChannels}`,
      `kernel_size=${c.kernel}`,
      `stride=${c.stride}`,
      `padding=${c.padding}`,
    ];
    if (c.kind === "transpose" && asArray(c.outputPadding).some((a) => a !== 0)) {
      const a = Array.isArray(c.outputPadding) ? pyRepr(tuple(c.outputPadding)) : c.outputPadding;
      args.push(`output_padding=${a}`);
    }
    if (c.dilation !== 1) args.push(`dilation=${c.dilation}`);
    return `nn.${name}${dims}d(${args.join(", ")})`;
  }

  function solve(kind, { input, output, maxKernel = 7, maxStride = 4, dilation = 1, maxPadding = null }) {
    checkBounds(maxKernel, maxStride, dilation, maxPadding);
    const [ins, outs, isSeq] = solverSizes(input, output);
    const found = [];
    for (let k = 1; k <= maxKernel; k++) {
      const padLimit = maxPadding === null ? dilation * (k - 1) : maxPadding;
      for (let s = 1; s <= maxStride; s++) {
        const profile = overlapProfile(k, s, dilation);
        for (let p = 0; p <= padLimit; p++) {
          const outPad = matchingOutputPadding(kind, ins, outs, k, s, p, dilation);
          if (outPad === null) continue;
          const choice = {
            kind,
            inputSize: isSeq ? ins : ins[0],
            outputSize: isSeq ? outs : outs[0],
            kernel: k,
            stride: s,
            padding: p,
            outputPadding: new Set(outPad).size > 1 ? outPad : outPad[0],
            dilation,
            evenOverlap: new Set(profile).size === 1,
            gaps: profile.includes(0),
          };
          choice.pytorch = choiceLine(choice);
          found.push(choice);
        }
      }
    }
    const keyed = found.map((c) => [sortKey(c), c]);
    keyed.sort((x, y) => compareKeys(x[0], y[0])); // stable, like Python's sorted
    return keyed.map(([, c]) => c);
  }

  /** Every ConvTranspose setting within the bounds mapping input -> output, simplest first. */
  const solveConvTranspose = (args) => solve("transpose", args);
  /** Every Conv setting within the bounds mapping input -> output, simplest first. */
  const solveConv = (args) => solve("conv", args);

  const showSize = (size) => (Array.isArray(size) ? size.join("x") : String(size));

  function sameSize(a, b) {
    const [ta, tb] = [asArray(a), asArray(b)];
    const equal = ta.length === tb.length && ta.every((v, j) => v === tb[j]);
    const allAre = (values, v) => values.every((x) => x === v);
    return equal || (ta.length === 1 && allAre(tb, ta[0])) || (tb.length === 1 && allAre(ta, tb[0]));
  }

  /** -1 if every dimension shrinks or stays (one shrinks), +1 for growth, 0 otherwise. */
  function direction(before, after) {
    let [b, a] = [asArray(before), asArray(after)];
    if (a.length !== b.length) {
      if (b.length === 1) b = Array(a.length).fill(b[0]);
      if (a.length === 1) a = Array(b.length).fill(a[0]);
    }
    if (a.length === b.length && a.every((v, j) => v === b[j])) return 0;
    if (a.every((x, j) => x <= b[j])) return -1;
    if (a.every((x, j) => x >= b[j])) return 1;
    return 0;
  }

  const DOWN_KINDS = ["conv", "maxpool", "avgpool"];
  const UP_KINDS = ["transpose", "upsample"];
  const sameExact = (a, b) =>
    Array.isArray(a) && Array.isArray(b)
      ? a.length === b.length && a.every((v, j) => v === b[j])
      : a === b;

  /** design.Layer.output_size: the layer's output size from the shape functions above. */
  function layerOutput(layer, size) {
    if (layer.ndim != null && Array.isArray(size) && size.length !== layer.ndim) {
      throw new ConvArgumentError(
        "input_size",
        "ndim",
        `input_size=${pyRepr(tuple(size))}: a ${layer.ndim}d layer takes ${layer.ndim} spatial sizes`
      );
    }
    const args = {
      input: size,
      kernel: layer.kernel,
      stride: layer.stride ?? 1,
      padding: layer.padding ?? 0,
      dilation: layer.dilation ?? 1,
    };
    if (layer.kind === "conv") return convOutputSize(args);
    if (layer.kind === "maxpool" || layer.kind === "avgpool") {
      return poolOutputSize({ ...args, ceilMode: layer.ceilMode ?? false });
    }
    if (layer.kind === "upsample") {
      return upsampleOutputSize({ input: size, size: layer.size ?? null, scaleFactor: layer.scaleFactor ?? null });
    }
    return convTransposeOutputSize({ ...args, outputPadding: layer.outputPadding ?? 0 });
  }

  /** Python's str() of a layer setting: 3, (3, 2), 'same'. */
  const pyStrOf = (v) => (Array.isArray(v) ? pyRepr(tuple(v)) : typeof v === "string" ? v : String(v));

  /** design.Layer.pytorch: the layer as a PyTorch line; unknown channels stay names. */
  function layerLine(layer) {
    const ndim = layer.ndim || 2;
    if (layer.kind === "upsample") {
      const arg = layer.size != null ? `size=${pyStrOf(layer.size)}` : `scale_factor=${pyStrOf(layer.scaleFactor)}`;
      return `nn.Upsample(${arg})`;
    }
    const stride = layer.stride ?? 1;
    const padding = layer.padding ?? 0;
    const dilation = layer.dilation ?? 1;
    if (layer.kind === "maxpool" || layer.kind === "avgpool") {
      const args = [`kernel_size=${pyStrOf(layer.kernel)}`, `stride=${pyStrOf(stride)}`];
      if (!sameExact(padding, 0)) args.push(`padding=${pyStrOf(padding)}`);
      if (!sameExact(dilation, 1)) args.push(`dilation=${pyStrOf(dilation)}`);
      if (layer.ceilMode) args.push("ceil_mode=True");
      return `nn.${layer.kind === "maxpool" ? "MaxPool" : "AvgPool"}${ndim}d(${args.join(", ")})`;
    }
    const args = [
      layer.inChannels == null ? "in_channels" : String(layer.inChannels),
      layer.outChannels == null ? "out_channels" : String(layer.outChannels),
      `kernel_size=${pyStrOf(layer.kernel)}`,
      `stride=${pyStrOf(stride)}`,
      typeof padding === "string" ? `padding=${pyStr(padding)}` : `padding=${pyStrOf(padding)}`,
    ];
    const outputPadding = layer.outputPadding ?? 0;
    if (layer.kind === "transpose" && asArray(outputPadding).some((a) => a !== 0)) {
      args.push(`output_padding=${pyStrOf(outputPadding)}`);
    }
    if (!sameExact(dilation, 1)) args.push(`dilation=${pyStrOf(dilation)}`);
    return `nn.${layer.kind === "transpose" ? "ConvTranspose" : "Conv"}${ndim}d(${args.join(", ")})`;
  }

  /**
   * design._fixes, as structured fixes: {type: "output-padding", keep, outputPadding,
   * outputSize, layer, text} (keep the layer, set output_padding) or {type: "layer", layer,
   * text} (a solver choice, or Upsample(size=)); `layer` is the row to put there, `text`
   * Python's suggestion word for word. Channels are the row's own.
   */
  function fixes(layer, size, expected) {
    if (layer.kind === "upsample") {
      const fixed = { ...layer, size: expected, scaleFactor: null };
      return [{ type: "layer", layer: fixed, text: layerLine(fixed) }];
    }
    const found = [];
    const stride = layer.stride ?? 1;
    const padding = layer.padding ?? 0;
    const dilation = layer.dilation ?? 1;
    const args = { input: size, kernel: layer.kernel, stride, padding, dilation };
    const keep = `k=${pyStrOf(layer.kernel)} s=${pyStrOf(stride)} p=${pyStrOf(padding)}`;
    const a = attempt(() => outputPaddingFor({ ...args, output: expected }));
    if (a !== undefined) {
      const shownA = pyStrOf(a);
      found.push({
        type: "output-padding",
        keep,
        outputPadding: shownA,
        outputSize: pyRepr(expected),
        layer: { ...layer, outputPadding: a },
        text:
          `keep ${keep} with output_padding=${shownA} ` +
          `(or call forward(x, output_size=${pyRepr(expected)}))`,
      });
    } else {
      // design._larger_output_padding: a = o − lo, >= stride but < dilation
      const lo = attempt(() => outputSizeRange(args)[0]);
      if (lo !== undefined) {
        const [ins, outs] = [asArray(lo), asArray(expected)];
        const n = Math.max(ins.length, outs.length);
        let big = Array.from({ length: n }, (_, j) => outs[outs.length === 1 ? 0 : j] - ins[ins.length === 1 ? 0 : j]);
        if (!Array.isArray(lo) && !Array.isArray(expected)) big = big[0];
        const got = attempt(() => convTransposeOutputSize({ ...args, outputPadding: big }));
        if (got !== undefined && sameSize(got, expected)) {
          const shownA = pyStrOf(big);
          found.push({
            type: "output-padding",
            keep,
            outputPadding: shownA,
            outputSize: null,
            layer: { ...layer, outputPadding: big },
            text: `keep ${keep} with output_padding=${shownA}`,
          });
        }
      }
    }
    if (isPlainInt(dilation) && dilation <= SOLVER_LIMITS.dilation) {
      const [ins, outs] = [asArray(size), asArray(expected)];
      const n = Math.max(ins.length, outs.length);
      const at = (values, j) => values[values.length === 1 ? 0 : j];
      let ratio = 0;
      for (let j = 0; j < n; j++) ratio = Math.max(ratio, at(outs, j) / at(ins, j));
      const maxStride = Math.min(SOLVER_LIMITS.max_stride, Math.max(4, Math.ceil(ratio)));
      const maxKernel = Math.min(SOLVER_LIMITS.max_kernel, Math.max(7, 2 * maxStride));
      const ndim = layer.ndim || (Array.isArray(size) ? size.length : null);
      const choices = solveConvTranspose({ input: size, output: expected, maxKernel, maxStride, dilation });
      for (const choice of choices.slice(0, 3)) {
        const fixed = {
          ...layer,
          kernel: choice.kernel,
          stride: choice.stride,
          padding: choice.padding,
          outputPadding: choice.outputPadding,
          ndim,
        };
        found.push({ type: "layer", choice, layer: fixed, text: layerLine(fixed) });
      }
    }
    return found;
  }

  /** design._upsampler: built to upsample, even when wrong settings keep it from growing. */
  const upsampler = (layer) => layer.kind === "upsample" || asArray(layer.stride ?? 1).some((s) => s > 1);

  /**
   * design.plan_chain: run the layers ({kind: "conv"|"transpose"|"maxpool"|"avgpool"|
   * "upsample", kernel, stride, padding, outputPadding, dilation, ceilMode, scaleFactor,
   * size, name?}) from `input`. A conv or pool that shrinks pushes its input size; a
   * transposed conv or upsample that grows (or is built to) pops the size it must restore.
   * A decoder row is judged on the size it should receive (every flagged row above fixed):
   * `shouldReceive`, and `ideal` the output from there. An invalid layer ends the chain.
   *
   * Each step carries Python's fields (message, suggestions: the text word for word) and,
   * for pages in other languages, the same facts as data: `verdict` ("downsample",
   * "mirror", "mismatch", "upsample", "keep", "change" or "invalid") and `fixes` (see fixes()).
   */
  function planChain({ input, layers }) {
    const steps = [];
    const stack = [];
    let size = input;
    let should = input;
    for (let j = 0; j < layers.length; j++) {
      const raw = layers[j];
      const layer = { ...raw, name: raw.name ?? `${raw.kind}${j + 1}` };
      const step = { spec: layer, inputSize: size, outputSize: null, expected: null, ok: true };
      step.mirrors = null;
      step.suggestions = [];
      step.fixes = [];
      let out;
      try {
        out = layerOutput(layer, size);
      } catch (error) {
        if (!(error instanceof ConvArgumentError)) throw error;
        Object.assign(step, {
          ok: false,
          error,
          verdict: "invalid",
          message: `invalid layer: ${error.message}`,
          shouldReceive: null,
        });
        steps.push(step);
        break;
      }
      let ideal = out;
      if (!sameExact(should, size)) {
        ideal = attempt(() => layerOutput(layer, should));
        if (ideal === undefined) [should, ideal] = [size, out];
      }
      step.outputSize = out;
      step.shouldReceive = should;
      step.ideal = ideal;
      const dir = direction(should, ideal);
      let following = ideal;
      if (DOWN_KINDS.includes(layer.kind) && dir < 0) {
        stack.push([should, layer.name]);
        step.verdict = "downsample";
        step.message = "downsamples; a decoder layer should bring it back";
      } else if (UP_KINDS.includes(layer.kind) && stack.length && (dir > 0 || upsampler(layer))) {
        [step.expected, step.mirrors] = stack.pop();
        step.ok = sameSize(ideal, step.expected);
        following = step.expected;
        if (step.ok) {
          step.verdict = "mirror";
          step.message = sameSize(out, step.expected)
            ? `mirrors ${step.mirrors}`
            : `mirrors ${step.mirrors} once the rows above are fixed (from ${showSize(should)} it ` +
              `gives ${showSize(ideal)}; now it gets ${showSize(size)})`;
        } else {
          step.verdict = "mismatch";
          const received = sameExact(should, size) ? "" : ` (from ${showSize(should)}, once fixed above)`;
          step.message =
            `gives ${showSize(ideal)}${received} but ${step.mirrors} started from ` +
            `${showSize(step.expected)}: the decoder does not mirror its encoder`;
          step.fixes = fixes(layer, should, step.expected);
          step.suggestions = step.fixes.map((fix) => fix.text);
        }
      } else if (UP_KINDS.includes(layer.kind) && dir > 0) {
        step.verdict = "upsample";
        step.message = "upsamples (no encoder step left to mirror)";
      } else {
        step.verdict = dir === 0 ? "keep" : "change";
        step.message = dir === 0 ? "keeps the size" : "changes the size";
      }
      steps.push(step);
      size = out;
      should = following;
    }
    return { inputSize: input, steps, ok: steps.every((s) => s.ok) };
  }

  // ---- one layer syntax: a mirror of src/convnotes/layers.py ----

  /** layers.SIGNATURES: positional order of each PyTorch class's arguments. */
  const SIGNATURES = {
    Conv: ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
      "groups", "bias", "padding_mode", "device", "dtype"],
    ConvTranspose: ["in_channels", "out_channels", "kernel_size", "stride", "padding",
      "output_padding", "groups", "bias", "dilation", "padding_mode", "device", "dtype"],
    MaxPool: ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"],
    AvgPool: ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
      "divisor_override"],
    Upsample: ["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"],
  };
  /** layers.KEEPS_SIZE: layers that never change the spatial size (a chain skips them). */
  const KEEPS_SIZE = new Set(
    ("ReLU ReLU6 LeakyReLU PReLU ELU SELU CELU GELU SiLU Mish Sigmoid Tanh Hardtanh " +
      "Hardswish Hardsigmoid Softplus Softmax Identity Dropout Dropout1d Dropout2d Dropout3d " +
      "AlphaDropout BatchNorm1d BatchNorm2d BatchNorm3d InstanceNorm1d InstanceNorm2d " +
      "InstanceNorm3d GroupNorm LayerNorm LocalResponseNorm").split(" ")
  );
  const LAYER_KINDS = {
    conv: "conv", transpose: "transpose", convt: "transpose", deconv: "transpose",
    up: "transpose", maxpool: "maxpool", avgpool: "avgpool", upsample: "upsample",
  };
  const KIND_HELP = "conv, transpose (convT), maxpool, avgpool or upsample";
  const SHORT_KEYS = {
    k: "kernel_size", s: "stride", p: "padding", d: "dilation", op: "output_padding",
    a: "output_padding", x: "scale_factor", scale: "scale_factor", size: "size",
  };
  const TOKEN =
    /\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\.\d+)|(\d+)|([A-Za-z_][\w.]*)|('[^']*'|"[^"]*")|([-(),=[\]]))/y;
  const TOKEN_KINDS = ["float", "int", "name", "str", "punct"];
  const VALUES = String.raw`same|valid|\d+(?:\.\d+)?(?:,\d+(?:\.\d+)?)*`;
  const SHORT = new RegExp(String.raw`(op|size|scale|ceil|k|s|p|d|a|x)(${VALUES})?`, "y");
  const CALL = new RegExp(
    String.raw`^\s*(?:\((?<paren>\w+)\)\s*:\s*|(?:self\.)?(?<assign>\w+)\s*=\s*(?=[\w.]+\s*\())?` +
      String.raw`(?<cls>[A-Za-z_][\w.]*)\s*\((?<args>.*)\)\s*,?\s*$`
  );
  const CLASS = /^(ConvTranspose|Conv|MaxPool|AvgPool)([123])d$/;
  const MAX_INT = 2n ** 53n - 1n;

  /** A Python float read from text (2.0 stays a float, as the messages print it). */
  class PyFloat {
    constructor(value) {
      this.value = value;
    }
  }
  const plain = (v) => (v instanceof PyFloat ? v.value : Array.isArray(v) ? v.map(plain) : v);
  const isInt = (v) => typeof v === "number" && Number.isInteger(v);

  const layerError = (text, why) =>
    new ConvArgumentError("layer", "layer-syntax", `layer ${pyStr(text)}: ${why}`);

  function showValue(value) {
    if (Array.isArray(value)) {
      const inner = value.map(showValue).join(", ");
      return value.length === 1 ? `(${inner},)` : `(${inner})`;
    }
    if (value instanceof PyFloat) {
      const text = pyFloat(value.value);
      return /^-?\d+$/.test(text) ? `${text}.0` : text;
    }
    if (typeof value === "string") return pyStr(value);
    if (value === null) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    return String(value);
  }

  function tokenize(text, body) {
    const tokens = [];
    let position = 0;
    while (position < body.length) {
      TOKEN.lastIndex = position;
      const match = TOKEN.exec(body);
      if (!match || TOKEN.lastIndex === position) {
        if (body.slice(position).trim() === "") break;
        throw layerError(text, `cannot read ${pyStr(body.slice(position).trim())}`);
      }
      const group = [1, 2, 3, 4, 5].find((g) => match[g] !== undefined);
      tokens.push({ kind: TOKEN_KINDS[group - 1], text: match[group] });
      position = TOKEN.lastIndex;
    }
    return tokens;
  }

  class Reader {
    constructor(text, tokens) {
      this.text = text;
      this.tokens = tokens;
      this.at = 0;
    }

    peek() {
      return this.at < this.tokens.length ? this.tokens[this.at] : null;
    }

    take(expected = null) {
      const token = this.peek();
      if (token === null || (expected !== null && token.text !== expected)) {
        const seen = token === null ? "the end" : pyStr(token.text);
        throw layerError(this.text, `expected ${pyStr(expected ?? "a value")}, found ${seen}`);
      }
      this.at += 1;
      return token;
    }

    value() {
      const token = this.take();
      if (token.text === "(" || token.text === "[") {
        const close = token.text === "(" ? ")" : "]";
        const items = [];
        while (this.peek() !== null && this.peek().text !== close) {
          items.push(this.value());
          if (this.peek() !== null && this.peek().text === ",") this.take(",");
        }
        this.take(close);
        return items;
      }
      if (token.text === "-") {
        const number = this.take();
        if (number.kind !== "int" && number.kind !== "float") {
          throw layerError(this.text, `cannot read '-${number.text}'`);
        }
        const v = this.number(number);
        return v instanceof PyFloat ? new PyFloat(-v.value) : -v;
      }
      if (token.kind === "int" || token.kind === "float") return this.number(token);
      if (token.kind === "str") return token.text.slice(1, -1);
      if (token.kind === "name" && ["True", "False", "None"].includes(token.text)) {
        return { True: true, False: false, None: null }[token.text];
      }
      if (token.kind === "name" && token.text.startsWith("torch.")) return token.text;
      throw layerError(this.text, `cannot read ${pyStr(token.text)}`);
    }

    number(token) {
      if (token.kind === "float") return new PyFloat(Number(token.text));
      if (BigInt(token.text) > MAX_INT) {
        throw layerError(this.text, `${token.text} is too large (at most 2^53 - 1)`);
      }
      return Number(token.text);
    }
  }

  /** (3, 3) -> 3: one int where every dimension agrees. */
  const collapse = (value) =>
    Array.isArray(value) && value.length && value.every((v) => v === value[0]) ? value[0] : value;

  function checkSizeArg(text, cls, ndim, name, value, allow = []) {
    if (typeof value === "string" && allow.includes(value)) return value;
    const values = Array.isArray(value) ? value : [value];
    if (!values.length || values.some((v) => !isInt(v))) {
      throw layerError(text, `${name}=${showValue(value)}: must be an integer or a tuple of them`);
    }
    if (Array.isArray(value) && ndim !== null && value.length !== 1 && value.length !== ndim) {
      throw layerError(text, `${name}=${showValue(value)}: ${cls} takes one value or ${ndim}`);
    }
    return collapse(value);
  }

  /** A layer object for planChain, with every field layers.parse_layer fills. */
  const makeLayer = (kind, fields) => ({
    kind,
    kernel: null,
    stride: 1,
    padding: 0,
    outputPadding: 0,
    dilation: 1,
    name: null,
    ceilMode: false,
    scaleFactor: null,
    size: null,
    inChannels: null,
    outChannels: null,
    ndim: null,
    ...fields,
  });

  function parseCall(text, match) {
    const name = match.groups.paren ?? match.groups.assign ?? null;
    const cls = match.groups.cls.split(".").pop();
    if (KEEPS_SIZE.has(cls)) return null;
    const familyMatch = CLASS.exec(cls);
    let family;
    let ndim;
    if (familyMatch) {
      [family, ndim] = [familyMatch[1], Number(familyMatch[2])];
    } else if (["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"].includes(cls)) {
      [family, ndim] = ["Upsample", cls.endsWith("2d") ? 2 : null];
    } else {
      throw layerError(
        text,
        `${cls} is not a layer the chain reads; it reads Conv1d/2d/3d, ` +
          "ConvTranspose1d/2d/3d, MaxPool1d/2d/3d, AvgPool1d/2d/3d and Upsample " +
          "(layers that keep the size, such as ReLU or BatchNorm2d, are skipped)"
      );
    }
    const signature = cls.startsWith("Upsampling") ? SIGNATURES[family].slice(0, 2) : SIGNATURES[family];
    const reader = new Reader(text, tokenize(text, match.groups.args));
    const given = new Map();
    let keywordSeen = false;
    while (reader.peek() !== null) {
      const first = reader.peek();
      const after = reader.at + 1 < reader.tokens.length ? reader.tokens[reader.at + 1] : null;
      let key;
      if (first.kind === "name" && after !== null && after.text === "=") {
        key = reader.take().text;
        reader.take("=");
        if (!signature.includes(key)) throw layerError(text, `${cls} has no argument ${pyStr(key)}`);
        keywordSeen = true;
      } else {
        if (keywordSeen) throw layerError(text, "a positional argument follows a keyword argument");
        if (given.size >= signature.length) {
          throw layerError(text, `${cls} takes at most ${signature.length} arguments`);
        }
        key = signature[given.size];
      }
      if (given.has(key)) throw layerError(text, `${cls} got two values for ${pyStr(key)}`);
      given.set(key, reader.value());
      if (reader.peek() !== null) reader.take(",");
    }
    return layerFromCall(text, cls, family, ndim, name, given);
  }

  function layerFromCall(text, cls, family, ndim, name, given) {
    const need = (key) => {
      if (!given.has(key)) throw layerError(text, `${cls} needs ${key}`);
      return given.get(key);
    };
    const get = (key, fallback) => (given.has(key) ? given.get(key) : fallback);
    if (family === "Upsample") {
      let [size, scale] = [get("size", null), get("scale_factor", null)];
      if ((size === null) === (scale === null)) {
        throw layerError(text, `${cls} needs exactly one of size and scale_factor`);
      }
      if (size !== null) {
        size = checkSizeArg(text, cls, ndim, "size", size);
      } else {
        const values = Array.isArray(scale) ? scale : [scale];
        const positive = (v) => (isInt(v) || v instanceof PyFloat) && plain(v) > 0;
        if (!values.every(positive)) {
          throw layerError(text, `scale_factor=${showValue(scale)}: must be a positive number`);
        }
        scale = collapse(plain(scale));
      }
      return makeLayer("upsample", { size, scaleFactor: scale, ndim, name });
    }
    const fields = { ndim, name };
    fields.kernel = checkSizeArg(text, cls, ndim, "kernel_size", need("kernel_size"));
    let stride = get("stride", null);
    const isPool = family === "MaxPool" || family === "AvgPool";
    if (isPool && (stride === null || (Array.isArray(stride) && stride.length === 0))) {
      stride = fields.kernel;
    }
    fields.stride = checkSizeArg(text, cls, ndim, "stride", stride === null ? 1 : stride);
    const allow = family === "Conv" ? ["same", "valid"] : [];
    fields.padding = checkSizeArg(text, cls, ndim, "padding", get("padding", 0), allow);
    fields.dilation = checkSizeArg(text, cls, ndim, "dilation", get("dilation", 1));
    if (family === "ConvTranspose") {
      fields.outputPadding = checkSizeArg(text, cls, ndim, "output_padding", get("output_padding", 0));
    }
    let kind;
    if (family === "Conv" || family === "ConvTranspose") {
      for (const [key, field] of [["in_channels", "inChannels"], ["out_channels", "outChannels"]]) {
        fields[field] = checkSizeArg(text, cls, null, key, need(key));
        if (Array.isArray(fields[field])) {
          throw layerError(text, `${key}=${showValue(fields[field])}: must be an integer`);
        }
      }
      kind = family === "Conv" ? "conv" : "transpose";
    } else {
      const ceil = get("ceil_mode", false);
      if (typeof ceil !== "boolean") {
        throw layerError(text, `ceil_mode=${showValue(ceil)}: must be True or False`);
      }
      fields.ceilMode = ceil;
      kind = family.toLowerCase();
    }
    return makeLayer(kind, fields);
  }

  function shortValue(text, key, raw) {
    const parts = raw.split(",");
    let values;
    if (key === "scale_factor") {
      values = parts.map(Number);
    } else {
      if (parts.some((v) => v.includes("."))) {
        throw layerError(text, `${key}=${raw}: must be an integer or a comma list of them`);
      }
      values = parts.map(Number);
    }
    return values.length > 1 ? collapse(values) : values[0];
  }

  const SHORT_ALLOWED = {
    conv: ["kernel_size", "stride", "padding", "dilation"],
    transpose: ["kernel_size", "stride", "padding", "dilation", "output_padding"],
    maxpool: ["kernel_size", "stride", "padding", "dilation"],
    avgpool: ["kernel_size", "stride", "padding"],
    upsample: ["scale_factor", "size"],
  };
  const FIELD_OF = {
    kernel_size: "kernel", stride: "stride", padding: "padding", dilation: "dilation",
    output_padding: "outputPadding", scale_factor: "scaleFactor", size: "size",
  };

  function parseShort(text, kind, name, pairs) {
    const fields = { name: name || null };
    const given = new Set();
    for (const [key, raw] of pairs) {
      if (key === "ceil") {
        if ((kind !== "maxpool" && kind !== "avgpool") || raw !== null) {
          throw layerError(text, "ceil (ceil_mode=True) is a setting of maxpool and avgpool only");
        }
        fields.ceilMode = true;
        continue;
      }
      const field = SHORT_KEYS[key];
      if (raw === null) throw layerError(text, `${key} needs a value, e.g. ${key}2`);
      if ((raw === "same" || raw === "valid") && (field !== "padding" || kind !== "conv")) {
        throw layerError(text, `${key}${raw}: only a conv takes padding same or valid`);
      }
      if (!SHORT_ALLOWED[kind].includes(field)) throw layerError(text, `${kind} has no setting ${key}`);
      if (given.has(field)) throw layerError(text, `${key} is given twice`);
      given.add(field);
      fields[FIELD_OF[field]] = raw === "same" || raw === "valid" ? raw : shortValue(text, field, raw);
    }
    if (kind === "upsample") {
      if (given.has("size") === given.has("scale_factor")) {
        throw layerError(text, "upsample needs exactly one of x<scale> and size<n>, e.g. x2");
      }
      return makeLayer("upsample", fields);
    }
    if (!given.has("kernel_size")) throw layerError(text, "kernel_size is required (k<kernel>, e.g. k3)");
    if ((kind === "maxpool" || kind === "avgpool") && !given.has("stride")) fields.stride = fields.kernel;
    return makeLayer(kind, fields);
  }

  function shortPairs(text, settings) {
    const pairs = [];
    let position = 0;
    while (position < settings.length) {
      SHORT.lastIndex = position;
      const match = SHORT.exec(settings);
      if (!match) {
        throw layerError(
          text,
          `cannot read ${pyStr(settings.slice(position))}; settings are k<kernel> s<stride> ` +
            "p<padding> d<dilation> op<output_padding> (transpose), ceil (pools), " +
            "x<scale> or size<n> (upsample), e.g. k3s2p1"
        );
      }
      pairs.push([match[1], match[2] ?? null]);
      position = SHORT.lastIndex;
    }
    return pairs;
  }

  const partition = (text, sep) => {
    const at = text.indexOf(sep);
    return at < 0 ? [text, "", ""] : [text.slice(0, at), sep, text.slice(at + sep.length)];
  };

  /**
   * layers.parse_layer: one layer from `conv:k3s2p1`, `convT k=4 s=2 p=1` or a PyTorch call
   * (`nn.Conv2d(3, 16, 3, stride=2, padding=1)`); null for a layer that keeps the size.
   * Bad text throws a ConvArgumentError (param "layer") with Python's message.
   */
  function parseLayer(text) {
    const call = CALL.exec(text);
    if (call) return parseCall(text, call);
    if (text.includes("(")) {
      throw layerError(text, "cannot read this PyTorch call: is its closing ')' missing?");
    }
    const stripped = text.trim();
    const [head, , rest] = partition(stripped, " ");
    const cut = head.lastIndexOf("=");
    const name = cut < 0 ? "" : head.slice(0, cut);
    const [kindText, colon, settings] = partition(cut < 0 ? head : head.slice(cut + 1), ":");
    const kind = LAYER_KINDS[kindText.toLowerCase()];
    if (kind === undefined) {
      throw layerError(
        text,
        `expected KIND:SETTINGS, KIND k=.. s=.. or a PyTorch layer; KIND is ${KIND_HELP}, ` +
          "e.g. conv:k3s2p1, convT k=4 s=2 p=1 or nn.Conv2d(3, 16, 3, stride=2, padding=1)"
      );
    }
    if (colon) {
      if (rest.trim()) throw layerError(text, `cannot read ${pyStr(rest.trim())} after the settings`);
      return parseShort(text, kind, name, shortPairs(text, settings));
    }
    const pairs = [];
    for (const token of rest.split(/\s+/).filter(Boolean)) {
      const [key, equals, value] = partition(token, "=");
      if (key === "ceil" && !equals) pairs.push(["ceil", null]);
      else if (key in SHORT_KEYS && equals && new RegExp(`^(?:${VALUES})$`).test(value)) {
        pairs.push([key, value]);
      } else {
        throw layerError(text, `cannot read ${pyStr(token)}; write key=value, e.g. k=3 s=2 p=1`);
      }
    }
    return parseShort(text, kind, name, pairs);
  }

  /**
   * layers.parse_layers: every layer of a pasted block, one a line, as
   * {layers, lines, numbers}; blank lines, # comments, container lines and layers that
   * keep the size are skipped. The first bad line throws, its number in the message and
   * in `.line`.
   */
  function parseLayers(text) {
    const layers = [];
    const lines = [];
    const numbers = [];
    String(text).split(/\r\n|\r|\n/).forEach((line, j) => {
      const stripped = line.trim();
      if (!stripped || stripped.startsWith("#") || /^\)?,?$/.test(stripped) || stripped.endsWith("(")) {
        return;
      }
      let layer;
      try {
        layer = parseLayer(stripped);
      } catch (error) {
        if (!(error instanceof ConvArgumentError)) throw error;
        const wrapped = new ConvArgumentError(error.param, error.rule, `line ${j + 1}: ${error.message}`);
        wrapped.line = j + 1;
        wrapped.text = stripped;
        throw wrapped;
      }
      if (layer !== null) {
        layers.push(layer);
        lines.push(stripped);
        numbers.push(j + 1);
      }
    });
    return { layers, lines, numbers };
  }

  const api = {
    ConvArgumentError,
    PADDING_STRINGS,
    convOutputSize,
    convTransposeOutputSize,
    outputPaddingFor,
    outputSizeRange,
    poolOutputSize,
    upsampleOutputSize,
    explainConvOutputSize,
    explainConvTransposeOutputSize,
    explainOutputPaddingFor,
    effectiveKernelSize,
    samePadding,
    convPadding,
    expand,
    pyRepr,
    overlapProfile,
    SOLVER_LIMITS,
    solveConvTranspose,
    solveConv,
    planChain,
    layerOutput,
    layerLine,
    parseLayer,
    parseLayers,
  };

  root.convnotes = Object.assign(root.convnotes || {}, api);
  if (typeof module === "object" && module.exports) module.exports = root.convnotes;
})(typeof window !== "undefined" ? window : globalThis);
