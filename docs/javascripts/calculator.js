/**
 * Shape calculator: mounts into every element with data-convnotes="calculator".
 * All arithmetic comes from shapes.js (window.convnotes, the mirror of convnotes.shapes);
 * this file only reads the form, shows results and keeps the state in the URL.
 * Modes: shape (conv / transposed, 1d-3d), inverse (solve for the parameters),
 * output_size (which output_padding PyTorch picks) and chain (a stack of layers).
 */
(function () {
  "use strict";

  const STRINGS = {
    en: {
      modes: { shape: "Output shape", inverse: "Inverse", outputSize: "output_size", chain: "Chain" },
      modeLabel: "Mode",
      op: "Layer",
      conv: "Convolution (nn.Conv)",
      transpose: "Transposed convolution (nn.ConvTranspose)",
      dims: "Spatial dimensions",
      dim: "Dimension",
      params: {
        i: "input size i",
        k: "kernel_size k",
        s: "stride s",
        p: "padding p",
        d: "dilation d",
        a: "output_padding a",
        o: "target output size o",
      },
      paddingMode: "padding",
      paddingInt: "numbers",
      cin: "in_channels",
      cout: "out_channels",
      groups: "groups",
      batch: "batch N",
      outputShape: "Output shape",
      formula: "Formula",
      pytorch: "PyTorch",
      copy: "Copy",
      copied: "Copied",
      invalid: "Invalid input",
      colon: ": ",
      maxKernel: "largest kernel",
      maxStride: "largest stride",
      solveFor: "Solve for",
      choicesFound: (n) => `${n} choice${n === 1 ? "" : "s"}, simplest first`,
      noChoices: "No choice with these limits maps the input to the target.",
      evenYes: "even overlap: the overlap adds no checkerboard",
      evenNo: "uneven overlap: checkerboard risk",
      gaps: "gaps: some outputs get no input (kernel < stride)",
      use: "Use",
      picks: (a) => `PyTorch picks output_padding = ${a}`,
      rangeHead: "output_size accepts (per dimension)",
      chainInput: "input size",
      chainLayers: "layers (one per line)",
      chainHelp:
        "One layer a line: conv, convT, maxpool, avgpool or upsample with k= s= p= d= a= " +
        "(output_padding), ceil, x= (scale); or a PyTorch layer as pasted, e.g. " +
        "nn.Conv2d(3, 16, 3, stride=2, padding=1), MaxPool2d(2), Upsample(scale_factor=2), or " +
        "the print(model) of an nn.Sequential (ReLU, BatchNorm… are skipped). A layer that " +
        "shrinks the size is remembered; the next one that grows it must restore that size " +
        "(as in a U-Net).",
      preset: "Example",
      presets: {
        unet: "U-Net 65 (mismatch)",
        unetFixed: "U-Net 65 (fixed)",
        dcgan: "DCGAN 4 → 64",
        pasted: "pasted PyTorch layers",
      },
      step: "#",
      layer: "Layer",
      inOut: "in → out",
      expected: "expected",
      status: "status",
      ok: "ok",
      mismatch: "mismatch",
      chainOk: "Every layer fits.",
      chainBad: "The chain breaks: see the flagged rows.",
      parseError: (line, text) => `line ${line}: cannot read “${text}”`,
      badLink: (key, value, allowed, used) =>
        `The link's ${key}=${value} is not valid (${allowed}); showing ${key}=${used} instead.`,
      oneOf: (values) => `one of ${values.join(", ")}`,
      shareHint: "The address bar holds this state: copy it to share the result.",
      ruleIntro: "breaks the rule",
      invalidLayer: "Invalid layer",
      fixesIntro: "Fixes:",
      // English pages show convnotes.design's own sentences (step.message, each fix's text).
      verdicts: null,
    },
    zh: {
      modes: { shape: "输出形状", inverse: "反求参数", outputSize: "output_size", chain: "多层串联" },
      modeLabel: "模式",
      op: "层",
      conv: "卷积（nn.Conv）",
      transpose: "转置卷积（nn.ConvTranspose）",
      dims: "空间维数",
      dim: "维度",
      params: {
        i: "输入尺寸 i",
        k: "卷积核 kernel_size k",
        s: "步长 stride s",
        p: "填充 padding p",
        d: "膨胀率 dilation d",
        a: "输出填充 output_padding a",
        o: "目标输出尺寸 o",
      },
      paddingMode: "填充方式",
      paddingInt: "数值",
      cin: "输入通道 in_channels",
      cout: "输出通道 out_channels",
      groups: "分组 groups",
      batch: "批 N",
      outputShape: "输出形状",
      formula: "公式",
      pytorch: "PyTorch 代码",
      copy: "复制",
      copied: "已复制",
      invalid: "输入无效",
      colon: "：",
      maxKernel: "最大卷积核",
      maxStride: "最大步长",
      solveFor: "求解",
      choicesFound: (n) => `共 ${n} 种选择，最简单的在前`,
      noChoices: "在这些上限内，没有参数能把输入映射到目标尺寸。",
      evenYes: "重叠均匀：重叠本身不产生棋盘效应",
      evenNo: "重叠不均匀：可能出现棋盘效应",
      gaps: "有空洞：部分输出得不到任何输入（卷积核小于步长）",
      use: "使用",
      picks: (a) => `PyTorch 选择 output_padding = ${a}`,
      rangeHead: "output_size 的取值范围（逐维）",
      chainInput: "输入尺寸",
      chainLayers: "各层（每行一层）",
      chainHelp:
        "每行一层：conv、convT、maxpool、avgpool 或 upsample，再写 k= s= p= d= a=（输出填充）、" +
        "ceil、x=（放大倍数）；也可以直接粘贴 PyTorch 层，例如 nn.Conv2d(3, 16, 3, stride=2, " +
        "padding=1)、MaxPool2d(2)、Upsample(scale_factor=2)，或者 nn.Sequential 的 print(model) " +
        "输出（ReLU、BatchNorm 等不改变尺寸的层会被跳过）。缩小尺寸的层会被记下，之后放大尺寸的层" +
        "必须恢复那个尺寸（就像 U-Net 那样）。",
      preset: "示例",
      presets: {
        unet: "U-Net 65（不匹配）",
        unetFixed: "U-Net 65（已修正）",
        dcgan: "DCGAN 4 → 64",
        pasted: "粘贴的 PyTorch 层",
      },
      step: "#",
      layer: "层",
      inOut: "输入 → 输出",
      expected: "期望",
      status: "状态",
      ok: "正确",
      mismatch: "不匹配",
      chainOk: "每一层都匹配。",
      chainBad: "串联出错：见标记的行。",
      parseError: (line, text) => `第 ${line} 行：无法读取“${text}”`,
      badLink: (key, value, allowed, used) =>
        `链接中的 ${key}=${value} 无效（${allowed}），已改用 ${key}=${used}。`,
      oneOf: (values) => `只能是 ${values.join("、")} 之一`,
      shareHint: "地址栏保存了当前状态：复制链接即可分享结果。",
      ruleIntro: "违反规则",
      invalidLayer: "这一层无效",
      fixesIntro: "修正方法：",
      // Built from the structured fields of a planChain step (never from its English text).
      verdicts: {
        downsample: (step) =>
          `下采样（${formatSize(step.inputSize)} → ${formatSize(step.outputSize)}）：` +
          `解码器中应有一层把尺寸恢复为 ${formatSize(step.inputSize)}`,
        mirror: (step) =>
          sameSize(step.outputSize, step.expected)
            ? `与编码器层 ${step.mirrors} 对称：恢复了它的输入尺寸 ${formatSize(step.expected)}`
            : `修正上面标记的行之后，与编码器层 ${step.mirrors} 对称（从应得的 ` +
              `${formatSize(step.shouldReceive)} 得到 ${formatSize(step.ideal)}；现在收到的是 ` +
              `${formatSize(step.inputSize)}）`,
        mismatch: (step) =>
          `得到 ${formatSize(step.ideal)}` +
          (sameSize(step.shouldReceive, step.inputSize)
            ? ""
            : `（按修正上面各行后应得的输入 ${formatSize(step.shouldReceive)} 计算）`) +
          `，但编码器层 ${step.mirrors} 的输入是 ${formatSize(step.expected)}：解码器与编码器不对称`,
        upsample: () => "上采样（没有剩下的编码器层可以对应）",
        keep: () => "尺寸不变",
        change: () => "尺寸改变（既不是下采样，也不是对应编码器的上采样）",
      },
      /** A structured fix (shapes.js fixes()) as a list item's children. */
      fix: (fix, code) =>
        fix.type === "output-padding"
          ? [
              "保持 ",
              code(fix.keep),
              "，把输出填充设为 ",
              code(`output_padding=${fix.outputPadding}`),
              ...(fix.outputSize === null
                ? []
                : ["；或者调用 ", code(`forward(x, output_size=${fix.outputSize})`)]),
            ]
          : ["换成 ", code(fix.text)],
    },
  };

  // Short statements of each rule (keys: the `.rule` of a ConvArgumentError), per language.
  const RULES = {
    en: {
      integer: "must be an integer",
      nonempty: "needs at least one value",
      ndim: "needs one value per spatial dimension",
      positive: "must be at least 1",
      nonnegative: "must not be negative",
      "padding-string": "must be a number, 'same' or 'valid'",
      "same-stride": "padding='same' needs stride 1",
      "kernel-too-large": "the dilated kernel d·(k−1)+1 must fit in the padded input i+2p",
      "transpose-padding-string": "transposed convolution takes integer padding only",
      "output-padding-too-large": "output_padding must be smaller than stride or dilation",
      "output-too-small": "the output size must be at least 1 (reduce padding)",
      "output-size-range": "output_size must lie in the range the layer can produce",
      groups: "groups must be a positive integer",
      divisible: "must be divisible by groups",
      "safe-integer": "must lie within ±(2^53 − 1), the integers a browser computes exactly",
      "solver-limit": "is beyond the solver's limit (a bound on its work)",
      "pool-padding": "a pool's padding must be at most half its kernel size",
      boolean: "must be True or False",
      "upsample-one-of": "give exactly one of size and scale_factor",
    },
    zh: {
      integer: "必须是整数",
      nonempty: "至少需要一个值",
      ndim: "每个空间维度需要一个值",
      positive: "必须至少为 1",
      nonnegative: "不能为负",
      "padding-string": "只能是整数、'same' 或 'valid'",
      "same-stride": "padding='same' 要求步长为 1",
      "kernel-too-large": "膨胀后的卷积核 d·(k−1)+1 不能大于填充后的输入 i+2p",
      "transpose-padding-string": "转置卷积只接受整数填充",
      "output-padding-too-large": "输出填充必须小于步长或膨胀率",
      "output-too-small": "输出尺寸必须至少为 1（请减小填充）",
      "output-size-range": "output_size 必须在该层能产生的范围内",
      groups: "groups 必须是正整数",
      divisible: "必须能被 groups 整除",
      "safe-integer": "必须在 ±(2^53 − 1) 之内（浏览器只能精确计算这个范围内的整数）",
      "solver-limit": "超出了求解器的上限（用来限制计算量）",
      "pool-padding": "池化层的填充不能超过卷积核大小的一半",
      boolean: "只能是 True 或 False",
      "upsample-one-of": "size 和 scale_factor 必须且只能给出一个",
    },
  };

  const PARAM_OF_FIELD = {
    i: "input_size",
    k: "kernel_size",
    s: "stride",
    p: "padding",
    d: "dilation",
    a: "output_padding",
    o: "output_size",
  };
  // output_size mode: symbol -> state key (the per-dimension fields are `${key}${j}`).
  const OUTPUT_SIZE_FIELDS = { i: "oi", o: "oo", k: "ok", s: "os", p: "opd", d: "od" };
  const DIM_NAMES = { 1: ["L"], 2: ["H", "W"], 3: ["D", "H", "W"] };
  const DEFAULTS = {
    mode: "shape",
    op: "conv",
    dims: "2",
    pm: "int",
    i: "32,32,32",
    k: "3,3,3",
    s: "2,2,2",
    p: "1,1,1",
    d: "1,1,1",
    a: "0,0,0",
    cin: "3",
    cout: "16",
    g: "1",
    n: "1",
    // inverse + output_size modes
    iop: "transpose",
    ii: "17",
    io: "33",
    mk: "7",
    ms: "4",
    odim: "2",
    oi: "16,16,16",
    oo: "32,32,32",
    ok: "3,3,3",
    os: "2,2,2",
    opd: "1,1,1",
    od: "1,1,1",
    // chain mode
    ci: "65",
    cl: "conv k=3 s=2 p=1\nconv k=3 s=2 p=1\nconvT k=4 s=2 p=1\nconvT k=4 s=2 p=1",
  };
  const PRESETS = {
    unet: { ci: "65", cl: DEFAULTS.cl },
    unetFixed: {
      ci: "65",
      cl: "conv k=3 s=2 p=1\nconv k=3 s=2 p=1\nconvT k=3 s=2 p=1\nconvT k=3 s=2 p=1",
    },
    dcgan: {
      ci: "4",
      cl: "convT k=4 s=2 p=1\nconvT k=4 s=2 p=1\nconvT k=4 s=2 p=1\nconvT k=4 s=2 p=1",
    },
    pasted: {
      ci: "65",
      cl: [
        "(enc1): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
        "(pool1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        "(enc2): Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
        "(pool2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        "(up2): ConvTranspose2d(32, 32, kernel_size=(2, 2), stride=(2, 2))",
        "(up1): ConvTranspose2d(32, 16, kernel_size=(2, 2), stride=(2, 2))",
      ].join("\n"),
    },
  };

  // Parameters of a share link with a fixed set of values (the rest are checked when used).
  const CHOICES = {
    mode: ["shape", "inverse", "outputSize", "chain"],
    op: ["conv", "transpose"],
    iop: ["transpose", "conv"],
    dims: ["1", "2", "3"],
    odim: ["1", "2", "3"],
    pm: ["int", "same", "valid"],
  };

  // ---------- small DOM helpers ----------

  const { h, languageOf } = window.convnotesDom;

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  /** Text from a field -> what the Python function would receive. */
  function parseField(raw) {
    const text = String(raw ?? "").trim();
    if (text === "") return null;
    if (text === "same" || text === "valid") return text;
    const number = Number(text);
    return Number.isFinite(number) ? number : text;
  }

  const formatSize = (value) => (Array.isArray(value) ? value.join(" × ") : String(value));
  const sameSize = (a, b) => formatSize(a) === formatSize(b);
  const pyTuple = (values) =>
    values.every((v) => v === values[0]) ? String(values[0]) : `(${values.join(", ")})`;

  // ---------- URL state ----------

  /** The state in the address bar, and the parameters it had to replace ([key, value]). */
  function readState() {
    const query = new URLSearchParams(window.location.search);
    const state = { ...DEFAULTS };
    const rejected = [];
    for (const key of Object.keys(DEFAULTS)) {
      if (!query.has(key)) continue;
      const value = query.get(key);
      if (CHOICES[key] && !CHOICES[key].includes(value)) rejected.push([key, value]);
      else state[key] = value;
    }
    return { state, rejected };
  }

  /** Point the language switcher's links at the same tool state (the query string). */
  function carryStateToLanguageLinks() {
    for (const link of document.querySelectorAll("a[hreflang]")) {
      const url = new URL(link.getAttribute("href"), window.location.href);
      url.search = window.location.search;
      link.setAttribute("href", url.pathname + url.search + url.hash);
    }
  }

  function writeState(state) {
    const query = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(state)) {
      if (value === DEFAULTS[key]) query.delete(key);
      else query.set(key, value);
    }
    const search = query.toString();
    const url = window.location.pathname + (search ? `?${search}` : "") + window.location.hash;
    window.history.replaceState(null, "", url);
    carryStateToLanguageLinks();
  }

  // ---------- channel checks (mirror of torch.nn._ConvNd.__init__) ----------

  function checkChannels({ inChannels, outChannels, groups }) {
    const { ConvArgumentError } = window.convnotes;
    const fail = (param, rule, message) => {
      throw new ConvArgumentError(param, rule, message);
    };
    for (const [param, value] of [
      ["in_channels", inChannels],
      ["out_channels", outChannels],
      ["groups", groups],
    ]) {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
        fail(
          param,
          param === "groups" ? "groups" : "positive",
          `${param}=${window.convnotes.pyRepr(value)}: must be a positive integer`
        );
      }
    }
    if (inChannels % groups !== 0) {
      fail(
        "in_channels",
        "divisible",
        `in_channels=${inChannels} with groups=${groups}: in_channels must be divisible by groups`
      );
    }
    if (outChannels % groups !== 0) {
      fail(
        "out_channels",
        "divisible",
        `out_channels=${outChannels} with groups=${groups}: out_channels must be divisible by groups`
      );
    }
  }

  // ---------- formula + PyTorch line ----------

  function pytorchLine(args) {
    const { op, ndim, cin, cout, kernel, stride, padding, dilation, outputPadding, groups } = args;
    const name = op === "transpose" ? `nn.ConvTranspose${ndim}d` : `nn.Conv${ndim}d`;
    const parts = [String(cin), String(cout), `kernel_size=${pyTuple(kernel)}`];
    if (stride.some((v) => v !== 1)) parts.push(`stride=${pyTuple(stride)}`);
    if (typeof padding === "string") parts.push(`padding='${padding}'`);
    else if (padding.some((v) => v !== 0)) parts.push(`padding=${pyTuple(padding)}`);
    if (op === "transpose" && outputPadding.some((v) => v !== 0)) {
      parts.push(`output_padding=${pyTuple(outputPadding)}`);
    }
    if (groups !== 1) parts.push(`groups=${groups}`);
    if (dilation.some((v) => v !== 1)) parts.push(`dilation=${pyTuple(dilation)}`);
    return `${name}(${parts.join(", ")})`;
  }

  // ---------- the widget ----------

  class Calculator {
    constructor(root) {
      this.root = root;
      this.lang = languageOf(root);
      this.t = STRINGS[this.lang];
      this.rules = RULES[this.lang];
      const { state, rejected } = readState();
      this.state = state;
      this.rejected = rejected;
      this.fields = {};
      this.build();
      this.update();
    }

    // -- building --

    build() {
      const t = this.t;
      this.root.classList.add("cn-widget", "cn-calculator");
      this.root.replaceChildren();
      const modeName = nextId("cn-mode");
      const tabs = h("fieldset", { class: "cn-modes" }, h("legend", { text: t.modeLabel }));
      for (const mode of ["shape", "inverse", "outputSize", "chain"]) {
        const id = nextId("cn-mode-opt");
        tabs.append(
          h(
            "span",
            { class: "cn-mode" },
            h("input", {
              type: "radio",
              name: modeName,
              id,
              value: mode,
              "data-field": "mode",
              checked: this.state.mode === mode,
              onchange: () => this.set("mode", mode),
            }),
            h("label", { for: id, text: t.modes[mode] })
          )
        );
      }
      this.sections = {
        shape: this.buildShape(),
        inverse: this.buildInverse(),
        outputSize: this.buildOutputSize(),
        chain: this.buildChain(),
      };
      const notices = (this.rejected || []).map(([key, value]) =>
        h("p", {
          class: "cn-warning",
          role: "status",
          "data-result": "link-error",
          text: t.badLink(key, value, t.oneOf(CHOICES[key]), DEFAULTS[key]),
        })
      );
      this.root.append(
        ...notices,
        tabs,
        ...Object.values(this.sections),
        h("p", { class: "cn-hint", text: t.shareHint })
      );
    }

    input(key, label, attrs = {}) {
      const id = nextId(`cn-${key}`);
      const field = h("input", {
        id,
        type: "number",
        inputmode: "numeric",
        step: "1",
        value: this.state[key],
        "data-field": key,
        oninput: (e) => this.set(key, e.target.value),
        ...attrs,
      });
      this.fields[key] = field;
      return h("label", { class: "cn-field", for: id }, h("span", { text: label }), field);
    }

    select(key, label, options) {
      const id = nextId(`cn-${key}`);
      const field = h(
        "select",
        { id, "data-field": key, onchange: (e) => this.set(key, e.target.value) },
        options.map(([value, text]) =>
          h("option", { value, selected: this.state[key] === value, text })
        )
      );
      this.fields[key] = field;
      return h("label", { class: "cn-field", for: id }, h("span", { text: label }), field);
    }

    buildShape() {
      const t = this.t;
      const head = h(
        "div",
        { class: "cn-row" },
        this.select("op", t.op, [
          ["conv", t.conv],
          ["transpose", t.transpose],
        ]),
        this.select("dims", t.dims, [
          ["1", "1d"],
          ["2", "2d"],
          ["3", "3d"],
        ]),
        this.select("pm", t.paddingMode, [
          ["int", t.paddingInt],
          ["same", "'same'"],
          ["valid", "'valid'"],
        ])
      );
      this.shapeGrid = this.perDimGrid(["i", "k", "s", "p", "d", "a"], (key) => t.params[key]);
      const table = this.shapeGrid.table;
      const channels = h(
        "div",
        { class: "cn-row" },
        this.input("n", t.batch, { min: "0" }),
        this.input("cin", t.cin, { min: "1" }),
        this.input("cout", t.cout, { min: "1" }),
        this.input("g", t.groups, { min: "1" })
      );
      this.shapeOut = h("div", { class: "cn-result", "aria-live": "polite" });
      return h("section", { class: "cn-section", "data-mode": "shape" }, head, table, channels, this.shapeOut);
    }

    /** A table of per-dimension number fields (data-field `${key}${j}`), one row per key. */
    perDimGrid(keys, labelOf) {
      const t = this.t;
      this.perDimFields ??= {};
      const header = h("tr");
      const body = h("tbody");
      const fields = {};
      for (const key of keys) {
        const values = this.state[key].split(",");
        const cells = [0, 1, 2].map((j) =>
          h("input", {
            type: "number",
            inputmode: "numeric",
            step: "1",
            value: values[j] ?? values[0] ?? "",
            "data-field": `${key}${j}`,
            "aria-label": `${labelOf(key)} (${t.dim} ${j + 1})`,
            oninput: () => this.setPerDim(key),
          })
        );
        fields[key] = cells;
        this.perDimFields[key] = cells;
        body.append(
          h(
            "tr",
            { "data-row": key },
            h("th", { scope: "row", text: labelOf(key) }),
            cells.map((cell) => h("td", {}, cell))
          )
        );
      }
      const table = h("table", { class: "cn-params" }, h("thead", {}, header), body);
      return { table, header, fields };
    }

    /** Show the first `ndim` columns of a grid, headed by the dimension names. */
    showDims(grid, ndim) {
      grid.header.replaceChildren(
        h("th", {}),
        ...DIM_NAMES[ndim].map((n) => h("th", { scope: "col", text: n }))
      );
      for (const cells of Object.values(grid.fields)) {
        cells.forEach((cell, j) => (cell.closest("td").hidden = j >= ndim));
      }
    }

    buildInverse() {
      const t = this.t;
      const form = h(
        "div",
        { class: "cn-row" },
        this.select("iop", t.solveFor, [
          ["transpose", t.transpose],
          ["conv", t.conv],
        ]),
        this.input("ii", t.params.i, { min: "1" }),
        this.input("io", t.params.o, { min: "1" }),
        this.input("mk", t.maxKernel, { min: "1", max: String(window.convnotes.SOLVER_LIMITS.max_kernel) }),
        this.input("ms", t.maxStride, { min: "1", max: String(window.convnotes.SOLVER_LIMITS.max_stride) })
      );
      this.inverseOut = h("div", { class: "cn-result", "aria-live": "polite" });
      return h("section", { class: "cn-section", "data-mode": "inverse" }, form, this.inverseOut);
    }

    buildOutputSize() {
      const t = this.t;
      const head = h(
        "div",
        { class: "cn-row" },
        this.select("odim", t.dims, [
          ["1", "1d"],
          ["2", "2d"],
          ["3", "3d"],
        ])
      );
      const param = Object.fromEntries(Object.entries(OUTPUT_SIZE_FIELDS).map(([k, v]) => [v, k]));
      this.outputSizeGrid = this.perDimGrid(Object.values(OUTPUT_SIZE_FIELDS), (key) => t.params[param[key]]);
      this.outputSizeOut = h("div", { class: "cn-result", "aria-live": "polite" });
      return h(
        "section",
        { class: "cn-section", "data-mode": "outputSize" },
        head,
        this.outputSizeGrid.table,
        this.outputSizeOut
      );
    }

    buildChain() {
      const t = this.t;
      const id = nextId("cn-cl");
      const area = h("textarea", {
        id,
        rows: "6",
        spellcheck: "false",
        "data-field": "cl",
        oninput: (e) => this.set("cl", e.target.value),
      });
      area.value = this.state.cl;
      this.fields.cl = area;
      const presets = h(
        "div",
        { class: "cn-presets" },
        h("span", { text: `${t.preset}:` }),
        Object.entries(t.presets).map(([key, text]) =>
          h("button", {
            type: "button",
            class: "md-button",
            "data-preset": key,
            text,
            onclick: () => this.loadPreset(key),
          })
        )
      );
      this.chainOut = h("div", { class: "cn-result", "aria-live": "polite" });
      return h(
        "section",
        { class: "cn-section", "data-mode": "chain" },
        h("div", { class: "cn-row" }, this.input("ci", t.chainInput, { type: "text", inputmode: "text" })),
        h("label", { class: "cn-field cn-wide", for: id }, h("span", { text: t.chainLayers }), area),
        h("p", { class: "cn-hint", text: t.chainHelp }),
        presets,
        this.chainOut
      );
    }

    // -- state --

    set(key, value) {
      this.state[key] = value;
      this.update();
    }

    setPerDim(key) {
      this.state[key] = this.perDimFields[key].map((f) => f.value).join(",");
      this.update();
    }

    loadPreset(key) {
      Object.assign(this.state, PRESETS[key]);
      this.fields.ci.value = this.state.ci;
      this.fields.cl.value = this.state.cl;
      this.update();
    }

    update() {
      const mode = this.sections[this.state.mode] ? this.state.mode : "shape";
      for (const [name, section] of Object.entries(this.sections)) section.hidden = name !== mode;
      this.root.dataset.mode = mode;
      this.clearInvalid();
      if (mode === "shape") this.renderShape();
      else if (mode === "inverse") this.renderInverse();
      else if (mode === "outputSize") this.renderOutputSize();
      else this.renderChain();
      writeState(this.state);
    }

    clearInvalid() {
      for (const el of this.root.querySelectorAll("[aria-invalid]")) {
        el.removeAttribute("aria-invalid");
        el.removeAttribute("aria-describedby");
      }
    }

    /** Mark the fields of the blamed parameter and return the error box. */
    showError(error, fieldsOf) {
      const box = h("div", { class: "cn-error", role: "alert", id: nextId("cn-error") });
      box.append(...this.errorParts(error, this.t.invalid));
      for (const field of fieldsOf(error.param || "")) {
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", box.id);
      }
      return box;
    }

    /** "label: param" + the rule in this page's language, then Python's message. */
    errorParts(error, label) {
      const rule = this.rules[error.rule];
      return [
        h("strong", { text: `${label}${this.t.colon}` }),
        h("code", { class: "cn-param", text: error.param || "" }),
        rule ? ` ${rule}` : "",
        h("br"),
        h("span", { class: "cn-detail", text: error.message }),
      ];
    }

    perDim(key, ndim) {
      return this.perDimFields[key].slice(0, ndim).map((f) => parseField(f.value));
    }

    renderShape() {
      const t = this.t;
      const cn = window.convnotes;
      const ndim = Number(this.state.dims) || 2;
      const op = this.state.op === "transpose" ? "transpose" : "conv";
      const pm = op === "conv" && this.state.pm !== "int" ? this.state.pm : "int";
      this.fields.pm.closest(".cn-field").hidden = op !== "conv";
      this.showDims(this.shapeGrid, ndim);
      for (const [key, cells] of Object.entries(this.shapeGrid.fields)) {
        for (const cell of cells) cell.disabled = key === "p" && pm !== "int";
        cells[0].closest("tr").hidden = key === "a" && op !== "transpose";
      }
      const args = {
        input: this.perDim("i", ndim),
        kernel: this.perDim("k", ndim),
        stride: this.perDim("s", ndim),
        padding: pm === "int" ? this.perDim("p", ndim) : pm,
        dilation: this.perDim("d", ndim),
      };
      if (op === "transpose") args.outputPadding = this.perDim("a", ndim);
      const channels = {
        inChannels: parseField(this.state.cin),
        outChannels: parseField(this.state.cout),
        groups: parseField(this.state.g),
      };
      const batch = parseField(this.state.n);
      const fieldsOf = (param) => {
        const key = Object.keys(PARAM_OF_FIELD).find((k) => PARAM_OF_FIELD[k] === param);
        if (key) return this.perDimFields[key].slice(0, ndim);
        const single = { in_channels: "cin", out_channels: "cout", groups: "g", batch: "n" }[param];
        return single ? [this.fields[single]] : [];
      };
      let out;
      try {
        out = op === "transpose" ? cn.convTransposeOutputSize(args) : cn.convOutputSize(args);
        checkChannels(channels);
        if (typeof batch !== "number" || !Number.isInteger(batch) || batch < 0) {
          throw new cn.ConvArgumentError("batch", "nonnegative", `batch=${cn.pyRepr(batch)}: the batch size must be an integer >= 0`);
        }
      } catch (error) {
        if (!(error instanceof cn.ConvArgumentError)) throw error;
        this.shapeOut.replaceChildren(this.showError(error, fieldsOf));
        return;
      }
      // convnotes.explain's text, word for word (one line per dimension, "dim j: " dropped)
      const explained =
        op === "transpose" ? cn.explainConvTransposeOutputSize(args) : cn.explainConvOutputSize(args);
      const formulas = explained.text.split("\n").map((line, j) =>
        h(
          "li",
          {},
          h("span", { class: "cn-dimname", text: `${DIM_NAMES[ndim][j]}: ` }),
          h("code", { text: line.replace(/^dim \d+: /, "") })
        )
      );
      const line = pytorchLine({
        op,
        ndim,
        cin: channels.inChannels,
        cout: channels.outChannels,
        kernel: args.kernel,
        stride: args.stride,
        padding: pm === "int" ? args.padding : pm,
        dilation: args.dilation,
        outputPadding: args.outputPadding || [],
        groups: channels.groups,
      });
      const shape = [batch, channels.outChannels, ...out];
      const inShape = [batch, channels.inChannels, ...args.input];
      const code = h("code", { class: "cn-pytorch", text: line });
      const copy = h("button", {
        type: "button",
        class: "md-button cn-copy",
        text: t.copy,
        onclick: () => {
          navigator.clipboard?.writeText(line).then(
            () => (copy.textContent = t.copied),
            () => {}
          );
        },
      });
      this.shapeOut.replaceChildren(
        h(
          "p",
          { class: "cn-shape" },
          h("strong", { text: `${t.outputShape}: ` }),
          h("code", { "data-result": "shape", text: `(${shape.join(", ")})` }),
          h("span", { class: "cn-from", text: `  ← (${inShape.join(", ")})` })
        ),
        h("p", {}, h("strong", { text: `${t.formula}:` })),
        h("ul", { class: "cn-formulas", "data-result": "formulas" }, formulas),
        h("p", { class: "cn-code" }, h("strong", { text: `${t.pytorch}: ` }), code, " ", copy)
      );
      this.shapeOut.dataset.output = JSON.stringify(out);
    }

    renderInverse() {
      const t = this.t;
      const cn = window.convnotes;
      const op = this.state.iop === "conv" ? "conv" : "transpose";
      const input = parseField(this.state.ii);
      const output = parseField(this.state.io);
      const maxKernel = parseField(this.state.mk);
      const maxStride = parseField(this.state.ms);
      const fields = {
        input_size: [this.fields.ii],
        output_size: [this.fields.io],
        max_kernel: [this.fields.mk],
        max_stride: [this.fields.ms],
      };
      let choices;
      try {
        const solve = op === "conv" ? cn.solveConv : cn.solveConvTranspose;
        for (const [param, value] of [["input_size", input], ["output_size", output]]) {
          if (!Number.isInteger(value) || value < 1) {
            throw new cn.ConvArgumentError(param, Number.isInteger(value) ? "positive" : "integer", `${param}=${cn.pyRepr(value)}: must be an integer >= 1`);
          }
        }
        choices = solve({ input, output, maxKernel, maxStride });
      } catch (error) {
        if (!(error instanceof cn.ConvArgumentError)) throw error;
        this.inverseOut.replaceChildren(this.showError(error, (p) => fields[p] || []));
        return;
      }
      if (choices.length === 0) {
        this.inverseOut.replaceChildren(h("p", { class: "cn-warning", text: t.noChoices }));
        return;
      }
      const head = h(
        "tr",
        {},
        ["k", "s", "p"].map((k) => h("th", { scope: "col", text: k })),
        op === "transpose" ? h("th", { scope: "col", text: "a" }) : null,
        op === "transpose" ? h("th", { scope: "col", text: "" }) : null,
        h("th", { scope: "col", text: "" })
      );
      const rows = choices.map((c) =>
        h(
          "tr",
          { "data-choice": `${c.kernel},${c.stride},${c.padding},${c.outputPadding}` },
          h("td", { text: c.kernel }),
          h("td", { text: c.stride }),
          h("td", { text: c.padding }),
          op === "transpose" ? h("td", { text: c.outputPadding }) : null,
          op === "transpose"
            ? h(
                "td",
                { class: c.evenOverlap ? "cn-even" : "cn-uneven" },
                c.gaps ? `⚠ ${t.gaps}` : c.evenOverlap ? `✓ ${t.evenYes}` : `⚠ ${t.evenNo}`
              )
            : null,
          h("td", {}, h("button", { type: "button", class: "cn-use", text: t.use, onclick: () => this.useChoice(op, input, c) }))
        )
      );
      this.inverseOut.replaceChildren(
        h("p", { text: t.choicesFound(choices.length) }),
        h("div", { class: "cn-scroll" }, h("table", { class: "cn-choices" }, h("thead", {}, head), h("tbody", {}, rows)))
      );
    }

    /** What a chain step means: design's English text, or the page language's, from the data. */
    chainVerdict(step) {
      const t = this.t;
      if (step.error) return h("small", {}, this.errorParts(step.error, t.invalidLayer));
      const code = (text) => h("code", { text });
      const why = h("small", { text: t.verdicts ? t.verdicts[step.verdict](step) : step.message });
      if (!step.fixes.length) return why;
      const fixes = step.fixes.map((fix) =>
        h("li", {}, t.verdicts ? t.fix(fix, code) : code(fix.text))
      );
      return [why, h("br"), h("small", { text: t.fixesIntro }), h("ul", { class: "cn-fixes" }, fixes)];
    }

    useChoice(op, input, choice) {
      const ndim = Number(this.state.dims) || 2;
      const repeat = (v) => Array(3).fill(v).join(",");
      Object.assign(this.state, {
        mode: "shape",
        op,
        pm: "int",
        i: repeat(input),
        k: repeat(choice.kernel),
        s: repeat(choice.stride),
        p: repeat(choice.padding),
        d: repeat(choice.dilation),
        a: repeat(choice.outputPadding),
        dims: String(ndim),
      });
      this.build();
      this.update();
      this.root.querySelector('[data-field="mode"]:checked')?.focus();
    }

    renderOutputSize() {
      const t = this.t;
      const cn = window.convnotes;
      const ndim = Number(this.state.odim) || 2;
      this.showDims(this.outputSizeGrid, ndim);
      const values = (symbol) => this.perDim(OUTPUT_SIZE_FIELDS[symbol], ndim);
      const args = {
        input: values("i"),
        output: values("o"),
        kernel: values("k"),
        stride: values("s"),
        padding: values("p"),
        dilation: values("d"),
      };
      const fieldsOf = (param) => {
        const symbol = Object.keys(PARAM_OF_FIELD).find((k) => PARAM_OF_FIELD[k] === param);
        const key = OUTPUT_SIZE_FIELDS[symbol];
        return key ? this.outputSizeGrid.fields[key].slice(0, ndim) : [];
      };
      let a;
      let lo;
      let hi;
      try {
        // Lists in, lists out: per dimension, as convnotes.shapes.output_padding_for(tuple, ...).
        a = cn.outputPaddingFor(args);
        [lo, hi] = cn.outputSizeRange(args);
      } catch (error) {
        if (!(error instanceof cn.ConvArgumentError)) throw error;
        this.outputSizeOut.replaceChildren(this.showError(error, fieldsOf));
        delete this.outputSizeOut.dataset.output;
        return;
      }
      const names = DIM_NAMES[ndim];
      const asPython = (values) => (ndim === 1 ? String(values[0]) : `(${values.join(", ")})`);
      const formulas = cn.explainOutputPaddingFor(args).text.split("\n").map((line, j) =>
        h(
          "li",
          {},
          h("span", { class: "cn-dimname", text: `${names[j]}: ` }),
          h("code", { text: line.replace(/^dim \d+: /, "") })
        )
      );
      const ranges = lo.map((l, j) => h("li", {}, h("span", { class: "cn-dimname", text: `${names[j]}: ` }), `${l} … ${hi[j]}`));
      const layer =
        `nn.ConvTranspose${ndim}d(C_in, C_out, kernel_size=${pyTuple(args.kernel)}, ` +
        `stride=${pyTuple(args.stride)}, padding=${pyTuple(args.padding)}, ` +
        `dilation=${pyTuple(args.dilation)})(x, output_size=[${args.output.join(", ")}])`;
      this.outputSizeOut.replaceChildren(
        h("p", { class: "cn-shape" }, h("strong", { "data-result": "output-padding", text: t.picks(asPython(a)) })),
        h("ul", { class: "cn-formulas" }, formulas),
        h("p", { text: t.rangeHead }),
        h("ul", { class: "cn-formulas", "data-result": "range" }, ranges),
        h("p", {}, h("code", { class: "cn-pytorch", text: layer }))
      );
      this.outputSizeOut.dataset.output = JSON.stringify(a);
    }

    renderChain() {
      const t = this.t;
      const cn = window.convnotes;
      const input = parseSize(this.state.ci);
      let parsed;
      try {
        parsed = cn.parseLayers(this.state.cl);
      } catch (error) {
        if (!(error instanceof cn.ConvArgumentError)) throw error;
        this.fields.cl.setAttribute("aria-invalid", "true");
        this.chainOut.replaceChildren(
          h(
            "div",
            { class: "cn-error", role: "alert" },
            h("strong", { text: t.parseError(error.line, error.text) }),
            h("br"),
            h("span", { class: "cn-detail", text: error.message })
          )
        );
        return;
      }
      let plan;
      try {
        plan = cn.planChain({ input, layers: parsed.layers });
      } catch (error) {
        if (!(error instanceof cn.ConvArgumentError)) throw error;
        this.chainOut.replaceChildren(this.showError(error, () => [this.fields.ci]));
        return;
      }
      const rows = plan.steps.map((step, j) => {
        const status = step.error
          ? h("td", { class: "cn-bad" }, "✗ ", h("code", { text: step.error.param }))
          : step.ok
            ? h("td", { class: "cn-good", text: `✓ ${t.ok}` })
            : h("td", { class: "cn-bad", text: `✗ ${t.mismatch}` });
        const detail = h(
          "tr",
          { class: step.ok ? "cn-why" : "cn-flagged cn-why", "data-verdict": step.verdict },
          h("td", { colspan: "5" }, this.chainVerdict(step))
        );
        const row = h(
          "tr",
          { "data-step": j, class: step.ok ? "" : "cn-flagged" },
          h("td", { text: j + 1 }),
          h("td", {}, h("code", { text: parsed.lines[j] })),
          h("td", { text: `${formatSize(step.inputSize)} → ${step.outputSize === null ? "—" : formatSize(step.outputSize)}` }),
          h("td", { text: step.expected === null ? "" : formatSize(step.expected) }),
          status
        );
        return [row, detail];
      });
      this.chainOut.replaceChildren(
        h("p", { class: plan.ok ? "cn-good" : "cn-bad", "data-result": "chain", text: plan.ok ? t.chainOk : t.chainBad }),
        h(
          "div",
          { class: "cn-scroll" },
          h(
            "table",
            { class: "cn-chain" },
            h("thead", {}, h("tr", {}, [t.step, t.layer, t.inOut, t.expected, t.status].map((x) => h("th", { scope: "col", text: x })))),
            h("tbody", {}, rows.flat())
          )
        )
      );
    }
  }

  /** "65" -> 65, "65,64" -> [65, 64], anything else is passed on for shapes.js to reject. */
  function parseSize(text) {
    const parts = String(text).split(/[,x×\s]+/).filter(Boolean);
    if (parts.length <= 1) return parseField(parts[0] ?? "");
    return parts.map(parseField);
  }

  function mountAll() {
    if (!window.convnotes || !window.convnotes.convOutputSize) return;
    for (const root of document.querySelectorAll('[data-convnotes="calculator"]')) {
      if (!root.dataset.mounted) {
        root.dataset.mounted = "true";
        new Calculator(root);
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
