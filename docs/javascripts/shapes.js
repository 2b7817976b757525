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
  function choiceLine(c, inChannels = 64, outChannels = 32, ndim = null) {
    const dims = ndim ?? (Array.isArray(c.inputSize) ? c.inputSize.length : 2);
    const name = c.kind === "transpose" ? "ConvTranspose" : "Conv";
    const args = [
      `${inChannels}`,
      `${outChannels}`,
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

  function layerOutput(layer, size) {
    const args = {
      input: size,
      kernel: layer.kernel,
      stride: layer.stride ?? 1,
      padding: layer.padding ?? 0,
      dilation: layer.dilation ?? 1,
    };
    if (layer.kind === "conv") return convOutputSize(args);
    return convTransposeOutputSize({ ...args, outputPadding: layer.outputPadding ?? 0 });
  }

  /**
   * design._fixes, as structured fixes: {type: "output-padding", kernel, stride, padding,
   * outputPadding, outputSize, text} (keep the layer, set output_padding) or
   * {type: "layer", choice, text} (a solver choice); `text` is Python's suggestion.
   */
  function fixes(layer, size, expected) {
    const found = [];
    const stride = layer.stride ?? 1;
    const padding = layer.padding ?? 0;
    const dilation = layer.dilation ?? 1;
    const a = attempt(() =>
      outputPaddingFor({ input: size, output: expected, kernel: layer.kernel, stride, padding, dilation })
    );
    if (a !== undefined) {
      const shownA = Array.isArray(a) ? pyRepr(tuple(a)) : a;
      const keep = `k=${pyRepr(layer.kernel)} s=${pyRepr(stride)} p=${pyRepr(padding)}`;
      found.push({
        type: "output-padding",
        keep,
        outputPadding: shownA,
        outputSize: pyRepr(expected),
        text:
          `keep ${keep} with output_padding=${shownA} ` +
          `(or call forward(x, output_size=${pyRepr(expected)}))`,
      });
    }
    if (isPlainInt(dilation) && dilation <= SOLVER_LIMITS.dilation) {
      for (const choice of solveConvTranspose({ input: size, output: expected, dilation }).slice(0, 3)) {
        found.push({ type: "layer", choice, text: choice.pytorch });
      }
    }
    return found;
  }

  /**
   * design.plan_chain: run the layers ({kind: "conv"|"transpose", kernel, stride, padding,
   * outputPadding, dilation, name?}) from `input`. A conv that shrinks pushes its input size;
   * a transposed conv that grows pops the size it must restore (mismatch: flagged, with fixes).
   * An invalid layer ends the chain.
   *
   * Each step carries Python's fields (message, suggestions: the text word for word) and,
   * for pages in other languages, the same facts as data: `verdict` ("downsample",
   * "mirror", "mismatch", "upsample", "keep", "change" or "invalid") and `fixes` (see fixes()).
   */
  function planChain({ input, layers }) {
    const steps = [];
    const stack = [];
    let size = input;
    layers.forEach((raw, j) => {
      if (steps.length && steps[steps.length - 1].outputSize === null) return;
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
        });
        steps.push(step);
        return;
      }
      step.outputSize = out;
      const dir = direction(size, out);
      if (layer.kind === "conv" && dir < 0) {
        stack.push([size, layer.name]);
        step.verdict = "downsample";
        step.message = "downsamples; a decoder layer should bring it back";
      } else if (layer.kind === "transpose" && dir > 0 && stack.length) {
        [step.expected, step.mirrors] = stack.pop();
        step.ok = sameSize(out, step.expected);
        if (step.ok) {
          step.verdict = "mirror";
          step.message = `mirrors ${step.mirrors}`;
        } else {
          step.verdict = "mismatch";
          step.message =
            `gives ${showSize(out)} but ${step.mirrors} started from ${showSize(step.expected)}: ` +
            "the decoder does not mirror its encoder";
          step.fixes = fixes(layer, size, step.expected);
          step.suggestions = step.fixes.map((fix) => fix.text);
        }
      } else if (layer.kind === "transpose" && dir > 0) {
        step.verdict = "upsample";
        step.message = "upsamples (no encoder step left to mirror)";
      } else {
        step.verdict = dir === 0 ? "keep" : "change";
        step.message = dir === 0 ? "keeps the size" : "changes the size";
      }
      steps.push(step);
      size = out;
    });
    return { inputSize: input, steps, ok: steps.every((s) => s.ok) };
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
    overlapProfile,
    SOLVER_LIMITS,
    solveConvTranspose,
    solveConv,
    planChain,
  };

  root.convnotes = Object.assign(root.convnotes || {}, api);
  if (typeof module === "object" && module.exports) module.exports = root.convnotes;
})(typeof window !== "undefined" ? window : globalThis);
