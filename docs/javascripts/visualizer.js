/**
 * Convolution / transposed-convolution visualizer: mounts into every element with
 * data-convnotes="visualizer". Sizes and validity come from shapes.js (the mirror of
 * convnotes.shapes); this file only works out which input cell meets which kernel tap
 * and which output cell, counts those meetings, and draws them.
 *
 * Index rules (one axis; 2d is the product of two axes):
 *   conv:        output o reads input  o*s - p + t*d          for taps t = 0..k-1
 *   transposed:  input j writes output j*s - p + t*d          (scatter-add of kernel copies)
 *                = conv with stride 1 and the flipped kernel over the input with s-1 zeros
 *                  inserted, padded by d*(k-1) - p on each side and a more at the end.
 * The scatter view draws the whole uncropped canvas (output x + p) so that the taps the
 * padding crops away stay visible.
 *
 * Tap counts are the number of (input cell, kernel tap) pairs meeting at a cell: with an
 * all-ones kernel, the nonzeros in that cell's row or column of the unrolled matrix C.
 */
(function () {
  "use strict";

  const STRINGS = {
    en: {
      view: "View",
      views: {
        conv: "Convolution",
        scatter: "Transposed: scatter-add",
        direct: "Transposed: zero insertion + flipped kernel",
      },
      sliders: {
        i: "input size i",
        k: "kernel size k",
        s: "stride s",
        p: "padding p",
        d: "dilation d",
        a: "output_padding a",
      },
      grids: {
        input: "Input",
        padded: "Input with padding",
        kernel: "Kernel",
        flipped: "Flipped kernel",
        output: "Output",
        canvas: "Output before cropping",
        zeros: "Zero-inserted, padded input",
      },
      reset: "« Start",
      back: "‹ Back",
      play: "▶ Play",
      pause: "■ Pause",
      forward: "Next ›",
      end: "End »",
      heatmap: "Show tap counts",
      colon: ": ",
      countNotes: {
        conv: { input: "times read", output: "input cells read" },
        transposed: { input: "taps landing on the output", output: "taps received" },
      },
      stepOf: (n, total) => `step ${n} / ${total}`,
      shape: (i, o) => `${i}×${i} → ${o}×${o}`,
      cell: (r, c) => `(${r},${c})`,
      cellLabel: (grid, r, c, v) => `${grid} (${r}, ${c}) = ${v}`,
      receives: (cell, n, cells) =>
        `output ${cell} receives ${n} tap${n === 1 ? "" : "s"}` + (n ? ` from input ${cells}` : ""),
      reads: (cell, n, cells, pads) =>
        `output ${cell} reads ${n} input cell${n === 1 ? "" : "s"}` +
        (pads ? ` and ${pads} padding zero${pads === 1 ? "" : "s"}` : "") +
        (n ? `: ${cells}` : ""),
      writes: (cell, n, cells, cropped) =>
        `input ${cell} adds its kernel copy to ${n} output cell${n === 1 ? "" : "s"}` +
        (cropped ? ` (${cropped} tap${cropped === 1 ? "" : "s"} cropped)` : "") +
        (n ? `: ${cells}` : ""),
      croppedCell: (cell, n, cells) =>
        `cropped cell ${cell} gets ${n} tap${n === 1 ? "" : "s"}` +
        (n ? ` from input ${cells}` : "") +
        ", then padding removes it",
      help: "Hover a cell, or focus one with Tab and move with the arrow keys, to see which cells it reads or writes.",
      legend: {
        on: "cells the highlighted cell reads or writes",
        current: "current step",
        pad: "padding (zeros)",
        zero: "inserted zeros (s − 1 between inputs)",
        crop: "cropped by padding p: computed, then removed",
        extra: "output_padding strip: a rows and columns added at the bottom and right",
        extraPad: "extra padding a at the bottom and right (output_padding)",
      },
      cropNote: (n) =>
        `padding p > d·(k−1): the zero-inserted input is cropped by p − d·(k−1) = ${n} on every side before the convolution.`,
      caption: {
        outEven: (n) => `Every output cell receives ${n} kernel tap${n === 1 ? "" : "s"}.`,
        outRange: (lo, hi, zeros, total) =>
          `Output cells receive ${lo} to ${hi} kernel taps` +
          (zeros ? `; ${zeros} of ${total} receive none and stay 0 whatever the input.` : "."),
        inWhole: (n) => `Every input cell's kernel copy lands whole on the output (${n} taps).`,
        inCropped: (lo, hi) =>
          (lo === hi
            ? `Every input cell's kernel copy lands ${lo} taps on the output`
            : `An input cell's kernel copy lands ${lo} to ${hi} taps on the output`) +
          "; the rest fall on the cropped border.",
        readsEven: (n) => `Every output cell reads ${n} input cell${n === 1 ? "" : "s"}.`,
        readsRange: (lo, hi, zeros) =>
          `Output cells read ${lo} to ${hi} input cells; their other taps fall on padding` +
          (zeros ? ` (${zeros} read only padding).` : "."),
        readEven: (n) => `Every input cell is read ${n} time${n === 1 ? "" : "s"}.`,
        readRange: (lo, hi, zeros, total) =>
          `Input cells are read ${lo} to ${hi} times` +
          (zeros ? `; ${zeros} of ${total} are never read.` : "."),
        where: (lo, hi) => `Away from the edges (rows and columns ${lo}–${hi}), `,
        evenOut: (n) => `every output cell receives ${n} taps: even overlap, so the overlap adds no checkerboard.`,
        unevenOut: (lo, hi) =>
          `output cells receive ${lo} to ${hi} taps: uneven overlap, the checkerboard` +
          (lo === 0 ? ", with holes that no tap reaches." : "."),
        evenIn: (n) => `every input cell is read ${n} times: even coverage.`,
        unevenIn: (lo, hi) =>
          `input cells are read ${lo} to ${hi} times: uneven coverage, the pattern behind the transposed convolution's checkerboard.`,
        small: (s) =>
          `Fewer than s = ${s} rows lie away from the edges, too few to show the repeating pattern: make i larger to judge it.`,
      },
      errors: {
        "output-padding-too-large": ({ a, s, d }) =>
          `output_padding a = ${a} must be smaller than the stride s = ${s} or the dilation d = ${d} (PyTorch's rule). Lower a, or raise s or d.`,
        "kernel-too-large": ({ k, d, i, p }) =>
          `The dilated kernel spans d·(k−1)+1 = ${d * (k - 1) + 1} cells but the padded input has only i+2p = ${i + 2 * p}: there is no output. Lower k or d, or raise i or p.`,
        "output-too-small": ({ i, k, s, p, d, a }) =>
          `The output size (i−1)·s − 2p + d·(k−1) + a + 1 = ${(i - 1) * s - 2 * p + d * (k - 1) + a + 1} is below 1: padding p crops away everything. Lower p, or raise i, k, s or d.`,
        other: (message) => `Invalid setting: ${message}`,
      },
      badLink: (key, value, rule, used) => `Link parameter ${key}=${value} ignored: ${rule}; using ${used}.`,
      sliderRule: (name, lo, hi) => `${name} must be a whole number from ${lo} to ${hi}`,
      viewRule: "the view must be conv, scatter or direct",
      heatRule: "the tap-count switch must be 0 or 1",
    },
    zh: {
      view: "视图",
      views: {
        conv: "卷积",
        scatter: "转置卷积：散布相加",
        direct: "转置卷积：零插入 + 翻转卷积核",
      },
      sliders: {
        i: "输入尺寸 i",
        k: "卷积核 k",
        s: "步长 s",
        p: "填充 p",
        d: "膨胀率 d",
        a: "输出填充 a",
      },
      grids: {
        input: "输入",
        padded: "填充后的输入",
        kernel: "卷积核",
        flipped: "翻转后的卷积核",
        output: "输出",
        canvas: "裁剪前的输出",
        zeros: "零插入并填充后的输入",
      },
      reset: "« 开始",
      back: "‹ 上一步",
      play: "▶ 播放",
      pause: "■ 暂停",
      forward: "下一步 ›",
      end: "结束 »",
      heatmap: "显示计数",
      colon: "：",
      countNotes: {
        conv: { input: "被读取的次数", output: "读取的输入格子数" },
        transposed: { input: "落在输出上的元素数", output: "接收的元素数" },
      },
      stepOf: (n, total) => `第 ${n} / ${total} 步`,
      shape: (i, o) => `${i}×${i} → ${o}×${o}`,
      cell: (r, c) => `(${r},${c})`,
      cellLabel: (grid, r, c, v) => `${grid} (${r}, ${c}) = ${v}`,
      receives: (cell, n, cells) => `输出 ${cell} 接收 ${n} 个卷积核元素` + (n ? `，来自输入 ${cells}` : ""),
      reads: (cell, n, cells, pads) =>
        `输出 ${cell} 读取 ${n} 个输入格子` + (pads ? `和 ${pads} 个填充的零` : "") + (n ? `：${cells}` : ""),
      writes: (cell, n, cells, cropped) =>
        `输入 ${cell} 把一份卷积核加到 ${n} 个输出格子上` +
        (cropped ? `（另有 ${cropped} 个被裁掉）` : "") +
        (n ? `：${cells}` : ""),
      croppedCell: (cell, n, cells) =>
        `被裁掉的格子 ${cell} 接收 ${n} 个卷积核元素` + (n ? `（来自输入 ${cells}）` : "") + "，随后被填充裁掉",
      help: "把鼠标移到格子上，或用 Tab 聚焦格子并用方向键移动，即可看到它读取或写入了哪些格子。",
      legend: {
        on: "高亮格子读取或写入的格子",
        current: "当前这一步",
        pad: "填充（零）",
        zero: "插入的零（输入之间 s − 1 个）",
        crop: "被填充 p 裁掉：先算出来，再去掉",
        extra: "输出填充带：在下方和右侧补上的 a 行/列",
        extraPad: "下方和右侧额外的 a 行/列填充（输出填充）",
      },
      cropNote: (n) => `填充 p > d·(k−1)：卷积之前，零插入后的输入四周各裁掉 p − d·(k−1) = ${n}。`,
      caption: {
        outEven: (n) => `每个输出格子都接收 ${n} 个卷积核元素。`,
        outRange: (lo, hi, zeros, total) =>
          `输出格子接收 ${lo} 到 ${hi} 个卷积核元素` +
          (zeros ? `；${total} 个中有 ${zeros} 个一个也收不到，无论输入是什么都为 0。` : "。"),
        inWhole: (n) => `每个输入格子的那份卷积核都完整落在输出上（${n} 个元素）。`,
        inCropped: (lo, hi) =>
          (lo === hi
            ? `每个输入格子的那份卷积核有 ${lo} 个元素落在输出上`
            : `输入格子的那份卷积核有 ${lo} 到 ${hi} 个元素落在输出上`) + "，其余落在被裁掉的边上。",
        readsEven: (n) => `每个输出格子都读取 ${n} 个输入格子。`,
        readsRange: (lo, hi, zeros) =>
          `输出格子读取 ${lo} 到 ${hi} 个输入格子，其余卷积核元素落在填充上` +
          (zeros ? `（${zeros} 个只读到填充）。` : "。"),
        readEven: (n) => `每个输入格子都被读取 ${n} 次。`,
        readRange: (lo, hi, zeros, total) =>
          `输入格子被读取 ${lo} 到 ${hi} 次` + (zeros ? `；${total} 个中有 ${zeros} 个从未被读取。` : "。"),
        where: (lo, hi) => `远离边界处（第 ${lo}–${hi} 行和列），`,
        evenOut: (n) => `每个输出格子都接收 ${n} 个元素：重叠均匀，重叠本身不产生棋盘效应。`,
        unevenOut: (lo, hi) =>
          `输出格子接收 ${lo} 到 ${hi} 个元素：重叠不均匀，这就是棋盘效应` +
          (lo === 0 ? "，还有一个元素也收不到的空洞。" : "。"),
        evenIn: (n) => `每个输入格子都被读取 ${n} 次：覆盖均匀。`,
        unevenIn: (lo, hi) => `输入格子被读取 ${lo} 到 ${hi} 次：覆盖不均匀，转置卷积的棋盘效应就来自这里。`,
        small: (s) => `远离边界的行数少于 s = ${s}，不足以显示重复的图案：把 i 调大才能判断。`,
      },
      errors: {
        "output-padding-too-large": ({ a, s, d }) =>
          `输出填充 a = ${a} 必须小于步长 s = ${s} 或膨胀率 d = ${d}（PyTorch 的规则）。请减小 a，或增大 s 或 d。`,
        "kernel-too-large": ({ k, d, i, p }) =>
          `膨胀后的卷积核跨 d·(k−1)+1 = ${d * (k - 1) + 1} 格，而填充后的输入只有 i+2p = ${i + 2 * p} 格：没有输出。请减小 k 或 d，或增大 i 或 p。`,
        "output-too-small": ({ i, k, s, p, d, a }) =>
          `输出尺寸 (i−1)·s − 2p + d·(k−1) + a + 1 = ${(i - 1) * s - 2 * p + d * (k - 1) + a + 1} 小于 1：填充 p 把所有格子都裁掉了。请减小 p，或增大 i、k、s 或 d。`,
        other: (message) => `参数无效：${message}`,
      },
      badLink: (key, value, rule, used) => `链接参数 ${key}=${value} 已忽略：${rule}，现使用 ${used}。`,
      sliderRule: (name, lo, hi) => `${name} 必须是 ${lo} 到 ${hi} 之间的整数`,
      viewRule: "视图必须是 conv、scatter 或 direct",
      heatRule: "计数开关必须是 0 或 1",
    },
  };

  const RANGES = { i: [1, 12], k: [1, 7], s: [1, 4], p: [0, 6], d: [1, 3], a: [0, 3] };
  const DEFAULTS = { vm: "scatter", i: 3, k: 3, s: 2, p: 0, d: 1, a: 0, heat: false };
  const VIEWS = ["conv", "scatter", "direct"];
  const URL_KEYS = { i: "vi", k: "vk", s: "vs", p: "vp", d: "vd", a: "va" };
  // Which slider an error of shapes.js blames (by its Python parameter name).
  const SLIDER_OF = { input_size: "i", kernel_size: "k", stride: "s", padding: "p", dilation: "d", output_padding: "a" };
  // Cells that answer to hover/focus, and what they stand for ("zeros-input" is an input).
  const HOVER_TARGETS = { input: "input", "zeros-input": "input", output: "output", cropped: "cropped" };
  const PLAY_MS = 700;
  const MIN_CELL = 18; // px
  const LISTED_CELLS = 12; // the hover line lists at most this many cells, then "…"

  // ---------- small helpers ----------

  const { h, languageOf, carryStateToLanguageLinks } = window.convnotesDom;

  const range = (n) => Array.from({ length: n }, (_, j) => j);
  const key = (r, c) => `${r},${c}`;
  const pairs = (n) => range(n * n).map((m) => [Math.floor(m / n), m % n]);
  const inputValue = (r, c) => ((r + 2 * c) % 3) + 1;
  /** Differs from its 180° rotation wherever 2r + c is not a multiple of 3 (k >= 2). */
  const kernelValue = (r, c) => ((2 * r + c) % 3) + 1;

  function countBy(items, keyOf) {
    const counts = new Map();
    for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) || 0) + 1);
    return counts;
  }

  // ---------- geometry: every (input cell, kernel tap, output cell) that meets ----------

  /**
   * All contributions of a 2d square conv (transposed=false) or transposed conv.
   * Each: {inp: [r, c], tap: [r, c], out: [r, c] | null}; a transposed one also has
   * canvas: its place before cropping (out + p); a conv also lists its padding reads.
   */
  function contributions({ transposed, i, k, s, p, d, o }) {
    const list = [];
    const padReads = [];
    if (!transposed) {
      for (const [or, oc] of pairs(o)) {
        for (const [tr, tc] of pairs(k)) {
          const [ir, ic] = [or * s - p + tr * d, oc * s - p + tc * d];
          if (ir >= 0 && ir < i && ic >= 0 && ic < i) {
            list.push({ inp: [ir, ic], tap: [tr, tc], out: [or, oc] });
          } else {
            padReads.push({ padded: [ir + p, ic + p], tap: [tr, tc], out: [or, oc] });
          }
        }
      }
      return { list, padReads };
    }
    for (const [jr, jc] of pairs(i)) {
      for (const [tr, tc] of pairs(k)) {
        const canvas = [jr * s + tr * d, jc * s + tc * d];
        const [or, oc] = [canvas[0] - p, canvas[1] - p];
        const inside = or >= 0 && or < o && oc >= 0 && oc < o;
        list.push({ inp: [jr, jc], tap: [tr, tc], out: inside ? [or, oc] : null, canvas });
      }
    }
    return { list, padReads };
  }

  /**
   * Tap counts: per output cell (taps it receives / input cells it reads) and per input
   * cell (outputs it reaches), from the contributions; cells no tap reaches are absent.
   */
  function tapCounts(g) {
    const landed = g.list.filter((x) => x.out);
    return {
      output: countBy(landed, (x) => key(...x.out)),
      input: countBy(landed, (x) => key(...x.inp)),
      canvas: g.transposed ? countBy(g.list, (x) => key(...x.canvas)) : null,
    };
  }

  /** min, max and number of zeros of `counts` over the cells with row and column in [lo, hi]. */
  function summary(counts, lo, hi) {
    const values = [];
    for (let r = lo; r <= hi; r++) for (let c = lo; c <= hi; c++) values.push(counts.get(key(r, c)) || 0);
    return {
      lo: Math.min(...values),
      hi: Math.max(...values),
      zeros: values.filter((v) => v === 0).length,
      total: values.length,
    };
  }

  // ---------- URL state ----------

  /** State from the query string, and the parameters that had to be ignored. */
  function readState() {
    const query = new URLSearchParams(window.location.search);
    const state = { ...DEFAULTS };
    const problems = [];
    if (query.has("vm")) {
      const view = query.get("vm");
      if (VIEWS.includes(view)) state.vm = view;
      else problems.push({ key: "vm", value: view, rule: "view", used: DEFAULTS.vm });
    }
    for (const [name, urlKey] of Object.entries(URL_KEYS)) {
      if (!query.has(urlKey)) continue;
      const text = query.get(urlKey);
      const value = /^[0-9]{1,3}$/.test(text) ? Number(text) : NaN;
      const [lo, hi] = RANGES[name];
      if (value >= lo && value <= hi) state[name] = value;
      else problems.push({ key: urlKey, value: text, rule: name, used: DEFAULTS[name] });
    }
    if (query.has("vh")) {
      const value = query.get("vh");
      if (value === "0" || value === "1") state.heat = value === "1";
      else problems.push({ key: "vh", value, rule: "heat", used: "0" });
    }
    return { state, problems };
  }

  function writeState(state) {
    const query = new URLSearchParams(window.location.search);
    const set = (k, v, fallback) => (v === fallback ? query.delete(k) : query.set(k, v));
    set("vm", state.vm, DEFAULTS.vm);
    for (const [name, urlKey] of Object.entries(URL_KEYS)) {
      set(urlKey, String(state[name]), String(DEFAULTS[name]));
    }
    set("vh", state.heat ? "1" : "0", "0");
    const search = query.toString();
    const url = window.location.pathname + (search ? `?${search}` : "") + window.location.hash;
    window.history.replaceState(null, "", url);
    carryStateToLanguageLinks();
  }

  // ---------- the widget ----------

  class Visualizer {
    constructor(root) {
      this.root = root;
      this.t = STRINGS[languageOf(root)];
      const { state, problems } = readState();
      this.state = state;
      this.problems = problems;
      this.step = null; // null = finished (show everything)
      this.timer = null;
      this.hover = null; // {grid, r, c}
      this.width = null;
      this.build();
      this.draw();
      window.addEventListener("resize", () => {
        if (this.root.clientWidth !== this.width) this.draw();
      });
    }

    build() {
      const t = this.t;
      this.root.classList.add("cn-widget", "cn-visualizer");
      this.root.replaceChildren();
      this.viewSelect = h(
        "select",
        { "data-field": "view", onchange: (e) => this.change("vm", e.target.value) },
        Object.entries(t.views).map(([value, text]) =>
          h("option", { value, text, selected: this.state.vm === value })
        )
      );
      this.sliders = {};
      const controls = h("div", { class: "cn-controls" });
      controls.append(
        h("label", { class: "cn-field" }, h("span", { text: t.view }), this.viewSelect)
      );
      for (const [name, [lo, hi]] of Object.entries(RANGES)) {
        const output = h("output", { text: this.state[name] });
        const slider = h("input", {
          type: "range",
          min: lo,
          max: hi,
          step: 1,
          value: this.state[name],
          "data-field": name,
          "aria-label": t.sliders[name],
          oninput: (e) => {
            output.textContent = e.target.value;
            this.change(name, Number(e.target.value));
          },
        });
        this.sliders[name] = slider;
        controls.append(
          h("label", { class: "cn-slider", "data-slider": name }, h("span", { text: t.sliders[name] }), slider, output)
        );
      }
      this.heatBox = h("input", {
        type: "checkbox",
        "data-field": "heat",
        checked: this.state.heat,
        onchange: (e) => this.change("heat", e.target.checked),
      });
      this.playButton = h("button", { type: "button", class: "md-button cn-play", "data-action": "play", text: t.play, onclick: () => this.togglePlay() });
      const buttons = h(
        "div",
        { class: "cn-buttons" },
        h("button", { type: "button", class: "md-button", "data-action": "reset", text: t.reset, onclick: () => this.goto(0) }),
        h("button", { type: "button", class: "md-button", "data-action": "back", text: t.back, onclick: () => this.goto(this.current() - 1) }),
        this.playButton,
        h("button", { type: "button", class: "md-button", "data-action": "forward", text: t.forward, onclick: () => this.goto(this.current() + 1) }),
        h("button", { type: "button", class: "md-button", "data-action": "end", text: t.end, onclick: () => this.goto(this.total()) }),
        h("label", { class: "cn-heat-toggle", "data-slider": "heat" }, this.heatBox, " ", t.heatmap)
      );
      this.notice = h("div", { class: "cn-notice", role: "status" });
      this.status = h("p", { class: "cn-status" });
      // Fixed height (see interactive.css): hovering never moves the grids below it.
      this.detail = h("p", { class: "cn-hover-line", "aria-live": "polite" });
      // one listener for all cells (big grids have thousands): see hoverTarget()
      const hoverFrom = (event) => this.setHover(this.hoverTarget(event.target));
      this.grids = h("div", {
        class: "cn-grids",
        onpointerover: hoverFrom,
        onfocusin: hoverFrom,
        onpointerleave: () => this.setHover(null),
      });
      this.legend = h("ul", { class: "cn-legend" });
      this.caption = h("div", { class: "cn-caption" });
      this.root.append(controls, buttons, this.notice, this.status, this.detail, this.grids, this.legend, this.caption);
      this.showProblems();
    }

    /** The link parameters readState had to ignore, in the page's language. */
    showProblems() {
      const t = this.t;
      const rule = ({ rule: name }) => {
        if (name === "view") return t.viewRule;
        if (name === "heat") return t.heatRule;
        return t.sliderRule(t.sliders[name], ...RANGES[name]);
      };
      this.notice.replaceChildren(
        ...this.problems.map((x) => h("p", { class: "cn-warning", "data-param": x.key, text: t.badLink(x.key, x.value, rule(x), x.used) }))
      );
      this.notice.hidden = this.problems.length === 0;
    }

    change(name, value) {
      this.state[name] = value;
      if (name !== "heat") {
        this.stop();
        this.step = null;
      }
      this.problems = [];
      this.showProblems();
      this.draw();
    }

    // -- geometry of the current state --

    geometry() {
      const { vm, i, k, s, p, d, a } = this.state;
      const transposed = vm !== "conv";
      const cn = window.convnotes;
      const o = transposed
        ? cn.convTransposeOutputSize({ input: i, kernel: k, stride: s, padding: p, outputPadding: a, dilation: d })
        : cn.convOutputSize({ input: i, kernel: k, stride: s, padding: p, dilation: d });
      const g = { transposed, vm, i, k, s, p, d, a: transposed ? a : 0, o };
      Object.assign(g, contributions(g));
      g.counts = tapCounts(g);
      g.positions = vm === "scatter" ? i * i : o * o;
      // the uncropped canvas of the scatter view: (i-1)s + d(k-1) + 1, plus any a beyond p
      g.canvas = transposed ? (i - 1) * s + d * (k - 1) + 1 + Math.max(0, g.a - p) : 0;
      return g;
    }

    total() {
      return this.g ? this.g.positions : 0;
    }

    current() {
      return this.step === null ? this.total() : this.step;
    }

    goto(n) {
      const total = this.total();
      this.step = Math.max(0, Math.min(total, n));
      if (this.step === total) this.stop();
      this.draw();
    }

    togglePlay() {
      if (this.timer) return this.stop();
      if (!this.g) return;
      if (this.current() >= this.total()) this.step = 0;
      this.playButton.textContent = this.t.pause;
      this.timer = window.setInterval(() => this.goto(this.current() + 1), PLAY_MS);
      this.draw();
    }

    stop() {
      if (this.timer) window.clearInterval(this.timer);
      this.timer = null;
      this.playButton.textContent = this.t.play;
    }

    // -- what is lit: from hover/focus if any, else the current step --

    litSets() {
      const g = this.g;
      const lit = { input: new Set(), output: new Set(), kernel: new Set(), padded: new Set(), zeros: new Set(), canvas: new Set() };
      const info = { taps: 0, pads: 0, cropped: 0 };
      const pick = (x) => {
        lit.input.add(key(...x.inp));
        lit.kernel.add(key(...x.tap));
        if (x.out) lit.output.add(key(...x.out));
        if (x.canvas) lit.canvas.add(key(...x.canvas));
        if (!g.transposed) lit.padded.add(key(x.inp[0] + g.p, x.inp[1] + g.p));
      };
      const focus = this.hover || this.stepFocus();
      if (!focus) return { lit, focus, info };
      const { r, c } = focus;
      // the focused cell itself is always lit, even where no tap reaches it
      const [set, ...own] = {
        output: g.vm === "scatter" ? ["canvas", r + g.p, c + g.p] : ["output", r, c],
        input: ["input", r, c],
        cropped: ["canvas", r, c],
      }[focus.grid];
      lit[set].add(key(...own));
      if (focus.grid === "output") {
        const mine = g.list.filter((x) => x.out && x.out[0] === r && x.out[1] === c);
        mine.forEach(pick);
        info.taps = mine.length;
        const pads = g.padReads.filter((x) => x.out[0] === r && x.out[1] === c);
        for (const x of pads) {
          lit.padded.add(key(...x.padded));
          lit.kernel.add(key(...x.tap));
        }
        info.pads = pads.length;
        if (g.vm === "direct") for (const z of this.windowOf(r, c)) lit.zeros.add(key(...z));
      } else if (focus.grid === "input") {
        const mine = g.list.filter((x) => x.inp[0] === r && x.inp[1] === c);
        mine.forEach(pick);
        info.cropped = mine.filter((x) => !x.out).length;
      } else if (focus.grid === "cropped") {
        g.list.filter((x) => x.canvas[0] === r && x.canvas[1] === c).forEach(pick);
      }
      return { lit, focus, info };
    }

    /** Cells of the zero-inserted grid that output (r, c) covers in the direct view. */
    windowOf(r, c) {
      const { k, d } = this.g;
      return pairs(k).map(([tr, tc]) => [r + tr * d, c + tc * d]);
    }

    stepFocus() {
      if (this.step === null || this.step === 0) return null;
      const n = this.step - 1;
      const side = this.g.vm === "scatter" ? this.g.i : this.g.o;
      return { grid: this.g.vm === "scatter" ? "input" : "output", r: Math.floor(n / side), c: n % side };
    }

    /**
     * Cell values after `done` positions (all when the animation is finished): keyed by
     * canvas cell in the scatter view, by output cell otherwise. A finished cell that no
     * tap reached is 0.
     */
    outputValues() {
      const g = this.g;
      const done = this.current();
      const scatter = g.vm === "scatter";
      const values = new Map();
      for (const x of g.list) {
        if (!scatter && !x.out) continue;
        const order = scatter ? x.inp[0] * g.i + x.inp[1] : x.out[0] * g.o + x.out[1];
        if (order >= done) continue;
        const cell = key(...(scatter ? x.canvas : x.out));
        values.set(cell, (values.get(cell) || 0) + inputValue(...x.inp) * kernelValue(...x.tap));
      }
      const finished = scatter ? (done === g.positions ? g.canvas * g.canvas : 0) : Math.min(done, g.o * g.o);
      const side = scatter ? g.canvas : g.o;
      for (const n of range(finished)) {
        const cell = key(Math.floor(n / side), n % side);
        if (!values.has(cell)) values.set(cell, 0);
      }
      return values;
    }

    /**
     * The caption: tap counts of both sides, and the verdict on the side where taps pile up
     * (the transposed output, the conv input) away from its edges, where the pattern repeats
     * every s cells: rows and columns d(k-1) - p ... (n_small - 1)s - p of the big side.
     */
    captionParts() {
      const g = this.g;
      const t = this.t.caption;
      const { output, input } = g.counts;
      const [nBig, nSmall] = g.transposed ? [g.o, g.i] : [g.i, g.o];
      const big = summary(g.transposed ? output : input, 0, nBig - 1);
      const small = summary(g.transposed ? input : output, 0, nSmall - 1);
      const k2 = g.k * g.k;
      const lines = [];
      if (g.transposed) {
        lines.push(["out", big, big.lo === big.hi ? t.outEven(big.hi) : t.outRange(big.lo, big.hi, big.zeros, big.total)]);
        lines.push(["in", small, small.lo === k2 ? t.inWhole(k2) : t.inCropped(small.lo, small.hi)]);
      } else {
        lines.push(["out", small, small.lo === small.hi ? t.readsEven(small.hi) : t.readsRange(small.lo, small.hi, small.zeros)]);
        lines.push(["in", big, big.lo === big.hi ? t.readEven(big.hi) : t.readRange(big.lo, big.hi, big.zeros, big.total)]);
      }
      const lo = Math.max(0, g.d * (g.k - 1) - g.p);
      const hi = Math.min(nBig - 1, (nSmall - 1) * g.s - g.p);
      let verdict = "small";
      let text = t.small(g.s);
      if (hi - lo + 1 >= g.s) {
        const inner = summary(g.transposed ? output : input, lo, hi);
        verdict = inner.lo === inner.hi ? "even" : "uneven";
        const words = g.transposed
          ? verdict === "even" ? t.evenOut(inner.hi) : t.unevenOut(inner.lo, inner.hi)
          : verdict === "even" ? t.evenIn(inner.hi) : t.unevenIn(inner.lo, inner.hi);
        text = t.where(lo, hi) + words;
      }
      return { lines, verdict, text };
    }

    // -- drawing --

    /** Rebuild the grids for the current state and step (hovering only re-highlights). */
    draw() {
      const t = this.t;
      const { vm } = this.state;
      this.width = this.root.clientWidth;
      for (const [name, slider] of Object.entries(this.sliders)) {
        slider.value = this.state[name];
        slider.nextElementSibling.textContent = this.state[name];
        slider.removeAttribute("aria-invalid");
      }
      this.viewSelect.value = vm;
      this.heatBox.checked = this.state.heat;
      this.root.querySelector('[data-slider="a"]').hidden = vm === "conv";
      writeState(this.state);
      this.hover = null;
      this.index = new Map(); // "set|key" -> cell elements, for highlight()
      this.litEls = [];
      try {
        this.g = this.geometry();
      } catch (error) {
        if (!(error instanceof window.convnotes.ConvArgumentError)) throw error;
        this.showError(error);
        return;
      }
      const g = this.g;
      const heat = this.state.heat;
      const cell = this.cellSize();
      const values = this.outputValues();
      const panels = [];
      if (vm === "conv") {
        panels.push(this.panel("padded", this.titled(t.grids.padded, "input"), g.i + 2 * g.p, (r, c) => this.paddedCell(r, c, heat), cell));
      } else {
        panels.push(this.panel("input", this.titled(t.grids.input, "input"), g.i, (r, c) => this.inputCell(r, c, heat), cell));
      }
      const flipped = vm === "direct";
      panels.push(
        this.panel(flipped ? "flipped" : "kernel", flipped ? t.grids.flipped : t.grids.kernel, g.k, (r, c) => {
          const [tr, tc] = flipped ? [g.k - 1 - r, g.k - 1 - c] : [r, c];
          return { grid: "kernel", r: tr, c: tc, text: kernelValue(tr, tc), keys: [["kernel", key(tr, tc)]] };
        }, cell)
      );
      if (vm === "direct") panels.push(this.zerosPanel(cell));
      if (vm === "scatter") panels.push(this.canvasPanel(values, heat, cell));
      else panels.push(this.outputPanel(values, heat, cell));
      this.grids.replaceChildren(...panels);
      this.status.replaceChildren(h("span", { class: "cn-shapeline", text: t.shape(g.i, g.o) }), " · ", t.stepOf(this.current(), this.total()));
      this.drawLegend();
      this.drawCaption();
      this.highlight();
    }

    /** A panel's title; with tap counts shown, what its numbers count. */
    titled(title, side) {
      if (!this.state.heat) return title;
      const notes = this.t.countNotes[this.g.transposed ? "transposed" : "conv"];
      return `${title}${this.t.colon}${notes[side]}`;
    }

    showError(error) {
      const t = this.t;
      const { i, k, s, p, d, a } = this.state;
      this.g = null;
      this.stop();
      const explain = t.errors[error.rule];
      const text = explain ? explain({ i, k, s, p, d, a }) : t.errors.other(error.message);
      const slider = this.sliders[SLIDER_OF[error.param]];
      if (slider) slider.setAttribute("aria-invalid", "true");
      this.status.replaceChildren("\u00a0");
      this.detail.replaceChildren();
      this.grids.replaceChildren(
        h("div", { class: "cn-error", role: "alert", "data-rule": error.rule, "data-param": error.param }, text)
      );
      this.legend.replaceChildren();
      this.caption.replaceChildren();
    }

    /** Light the cells the hovered/focused cell (or the current step) reads or writes. */
    highlight() {
      if (!this.g) return;
      const { lit, focus, info } = this.litSets();
      for (const el of this.litEls) el.classList.remove("cn-on");
      this.litEls = [];
      for (const [set, keys] of Object.entries(lit)) {
        for (const k of keys) {
          for (const el of this.index.get(`${set}|${k}`) || []) {
            el.classList.add("cn-on");
            this.litEls.push(el);
          }
        }
      }
      this.detail.textContent = focus ? this.describe(focus, lit, info) : this.t.help;
    }

    describe(focus, lit, info) {
      const t = this.t;
      const list = (set) => {
        const cells = [...set].map((x) => `(${x})`);
        return cells.length > LISTED_CELLS ? `${cells.slice(0, LISTED_CELLS).join(" ")} …` : cells.join(" ");
      };
      const cell = t.cell(focus.r, focus.c);
      if (focus.grid === "input") return t.writes(cell, lit.output.size, list(lit.output), info.cropped);
      if (focus.grid === "cropped") return t.croppedCell(cell, lit.input.size, list(lit.input));
      if (this.g.transposed) return t.receives(cell, info.taps, list(lit.input));
      return t.reads(cell, lit.input.size, list(lit.input), info.pads);
    }

    /** What hovering or focusing `el` shows: the input, output or cropped cell, else none. */
    hoverTarget(el) {
      const cell = el instanceof Element ? el.closest(".cn-cell") : null;
      const grid = cell && HOVER_TARGETS[cell.dataset.grid];
      return grid ? { grid, r: Number(cell.dataset.r), c: Number(cell.dataset.c) } : null;
    }

    setHover(hover) {
      const same = (x, y) => (x && y ? x.grid === y.grid && x.r === y.r && x.c === y.c : x === y);
      if (same(hover, this.hover)) return;
      this.hover = hover;
      this.highlight();
    }

    /** One entry per kind of cell the grids now hold (so the legend never lists absent ones). */
    drawLegend() {
      const g = this.g;
      const t = this.t.legend;
      const kinds = [
        ["on", "cn-on", null],
        ["current", "cn-current", ".cn-current"],
        ["pad", "cn-pad", ".cn-pad:not(.cn-extra)"],
        ["zero", "cn-zero", ".cn-zero"],
        ["extraPad", "cn-pad cn-extra", ".cn-pad.cn-extra"],
        ["crop", "cn-crop", ".cn-crop"],
        ["extra", "cn-extra", ".cn-extra:not(.cn-pad)"],
      ];
      const entries = kinds
        .filter(([, , selector]) => !selector || this.grids.querySelector(selector))
        .map(([name, cls]) =>
          h("li", { "data-legend": name }, h("span", { class: `cn-cell cn-swatch ${cls}`, "aria-hidden": "true" }), t[name])
        );
      const crop = g.p - g.d * (g.k - 1);
      if (g.vm === "direct" && crop > 0) entries.push(h("li", { "data-legend": "cropNote" }, this.t.cropNote(crop)));
      this.legend.replaceChildren(...entries);
    }

    drawCaption() {
      const { lines, verdict, text } = this.captionParts();
      this.caption.replaceChildren(
        ...lines.map(([side, x, words]) =>
          h("p", { "data-side": side, "data-lo": x.lo, "data-hi": x.hi, "data-zeros": x.zeros }, words)
        ),
        h("p", { class: "cn-verdict", "data-verdict": verdict }, text)
      );
    }

    cellSize() {
      const g = this.g;
      const width = Math.max(200, this.root.clientWidth || 320);
      const widest = Math.max(g.i + 2 * (g.transposed ? 0 : g.p), this.zerosSize(), g.vm === "scatter" ? g.canvas : g.o);
      // numbers stay readable: big grids scroll sideways rather than shrink below MIN_CELL
      return Math.max(MIN_CELL, Math.min(30, Math.floor((width - 8) / widest) - 1));
    }

    zerosSize() {
      const g = this.g;
      return g.vm === "direct" ? g.o + g.d * (g.k - 1) : 0;
    }

    heatSpec(spec, count, max) {
      spec.text = count;
      spec.cls = `${spec.cls || ""} cn-heat${count / max > 0.6 ? " cn-hot" : ""}`;
      spec.heat = count / max;
      return spec;
    }

    maxCount(which) {
      return Math.max(1, ...this.g.counts[which].values());
    }

    inputCell(r, c, heat) {
      const g = this.g;
      const k = key(r, c);
      const current = this.stepFocus();
      const spec = { grid: "input", r, c, text: inputValue(r, c), keys: [["input", k]] };
      if (current && current.grid === "input" && current.r === r && current.c === c) spec.cls = "cn-current";
      return heat ? this.heatSpec(spec, g.counts.input.get(k) || 0, this.maxCount("input")) : spec;
    }

    paddedCell(r, c, heat) {
      const g = this.g;
      const [ir, ic] = [r - g.p, c - g.p];
      const inside = ir >= 0 && ir < g.i && ic >= 0 && ic < g.i;
      if (!inside) return { grid: "pad", r, c, text: heat ? "" : "0", cls: "cn-pad", keys: [["padded", key(r, c)]] };
      return this.inputCell(ir, ic, heat);
    }

    zerosPanel(cell) {
      const g = this.g;
      const q = g.d * (g.k - 1) - g.p; // padding of the zero-inserted input in the direct view
      const last = (g.i - 1) * g.s;
      return this.panel("zeros", this.t.grids.zeros, this.zerosSize(), (r, c) => {
        const [ur, uc] = [r - q, c - q];
        const keys = [["zeros", key(r, c)]];
        const isInput = ur >= 0 && uc >= 0 && ur <= last && uc <= last && ur % g.s === 0 && uc % g.s === 0;
        if (isInput) {
          const [ir, ic] = [ur / g.s, uc / g.s];
          return { grid: "zeros-input", r: ir, c: ic, text: inputValue(ir, ic), keys: [...keys, ["input", key(ir, ic)]] };
        }
        const padding = ur < 0 || uc < 0 || ur > last || uc > last;
        const extra = ur > last + q || uc > last + q;
        return { grid: "zeros", r, c, text: "0", keys, cls: padding ? `cn-pad${extra ? " cn-extra" : ""}` : "cn-zero" };
      }, cell);
    }

    outputPanel(values, heat, cell) {
      const g = this.g;
      const current = this.stepFocus();
      const max = this.maxCount("output");
      return this.panel("output", this.titled(this.t.grids.output, "output"), g.o, (r, c) => {
        const k = key(r, c);
        const strip = g.a > 0 && (r >= g.o - g.a || c >= g.o - g.a);
        const spec = { grid: "output", r, c, text: values.has(k) ? values.get(k) : "", keys: [["output", k]] };
        spec.cls = strip ? "cn-extra" : "";
        if (current && current.grid === "output" && current.r === r && current.c === c) spec.cls += " cn-current";
        return heat ? this.heatSpec(spec, g.counts.output.get(k) || 0, max) : spec;
      }, cell);
    }

    /** Scatter view: the whole canvas before cropping; output cells are the kept part. */
    canvasPanel(values, heat, cell) {
      const g = this.g;
      const max = Math.max(1, ...g.counts.canvas.values());
      const title = this.titled(g.p > 0 ? this.t.grids.canvas : this.t.grids.output, "output");
      return this.panel("output", title, g.canvas, (cr, cc) => {
        const [r, c] = [cr - g.p, cc - g.p];
        const k = key(cr, cc);
        const kept = r >= 0 && r < g.o && c >= 0 && c < g.o;
        const spec = { r, c, text: values.has(k) ? values.get(k) : "", keys: [["canvas", k]] };
        if (kept) {
          spec.grid = "output";
          spec.cls = g.a > 0 && (r >= g.o - g.a || c >= g.o - g.a) ? "cn-extra" : "";
        } else {
          Object.assign(spec, { grid: "cropped", r: cr, c: cc, cls: "cn-crop" });
        }
        if (!heat) return spec;
        const counts = kept ? g.counts.output.get(key(r, c)) : g.counts.canvas.get(k);
        return this.heatSpec(spec, counts || 0, max);
      }, cell);
    }

    panel(name, title, n, cellOf, size) {
      const grid = h("div", {
        class: "cn-grid",
        role: "group",
        "data-grid-name": name,
        "aria-label": title,
        style: `grid-template-columns: repeat(${n}, var(--cn-cell)); --cn-cell: ${size}px`,
        onkeydown: (e) => this.onKey(e, grid, n),
      });
      let first = true;
      for (const [r, c] of pairs(n)) {
        const spec = cellOf(r, c);
        const el = h("div", {
          class: `cn-cell ${spec.cls || ""}`,
          "data-grid": spec.grid,
          "data-r": spec.r,
          "data-c": spec.c,
          "data-pos": key(r, c),
          tabindex: first ? "0" : "-1",
          "aria-label": this.t.cellLabel(title, spec.r, spec.c, spec.text === "" ? "?" : spec.text),
          text: spec.text,
        });
        if (spec.heat !== undefined) el.style.setProperty("--cn-heat", spec.heat.toFixed(3));
        for (const [set, k] of spec.keys || []) {
          const id = `${set}|${k}`;
          if (!this.index.has(id)) this.index.set(id, []);
          this.index.get(id).push(el);
        }
        first = false;
        grid.append(el);
      }
      return h("div", { class: "cn-panel" }, h("h4", { text: `${title} (${n}×${n})` }), h("div", { class: "cn-scroll" }, grid));
    }

    onKey(event, grid, n) {
      const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0], Home: [0, -n], End: [0, n] };
      if (event.key === "Escape") {
        this.setHover(null);
        return;
      }
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      const cells = [...grid.children];
      const index = Math.max(0, cells.indexOf(document.activeElement));
      const [r, c] = [Math.floor(index / n), index % n];
      const [nr, nc] = [Math.min(n - 1, Math.max(0, r + move[0])), Math.min(n - 1, Math.max(0, c + move[1]))];
      const next = cells[nr * n + nc];
      for (const cell of cells) cell.tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    }
  }

  function mountAll() {
    if (!window.convnotes || !window.convnotes.convOutputSize) return;
    for (const root of document.querySelectorAll('[data-convnotes="visualizer"]')) {
      if (!root.dataset.mounted) {
        root.dataset.mounted = "true";
        new Visualizer(root);
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
