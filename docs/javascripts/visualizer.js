/**
 * Convolution / transposed-convolution visualizer: mounts into every element with
 * data-convnotes="visualizer". Sizes and validity come from shapes.js (the mirror of
 * convnotes.shapes); this file only works out which input cell meets which kernel tap
 * and which output cell, and draws that.
 *
 * Index rules (one axis; 2d is the product of two axes):
 *   conv:        output o reads input  o*s - p + t*d          for taps t = 0..k-1
 *   transposed:  input j writes output j*s - p + t*d          (scatter-add of kernel copies)
 *                = conv with stride 1 and the flipped kernel over the input with s-1 zeros
 *                  inserted, padded by d*(k-1) - p on each side and a more at the end.
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
        zeros: "Zero-inserted, padded input",
      },
      reset: "« Start",
      back: "‹ Back",
      play: "▶ Play",
      pause: "■ Pause",
      forward: "Next ›",
      end: "End »",
      heatmap: "Overlap-count heatmap",
      stepOf: (n, total) => `step ${n} / ${total}`,
      convStep: (o, cells) => `output ${o} reads ${cells}`,
      scatterStep: (j, cells) => `input ${j} adds a kernel copy onto output ${cells}`,
      noCells: "only padding",
      cellLabel: (grid, r, c, v) => `${grid} (${r}, ${c}) = ${v}`,
      heatLegend: (lo, hi) =>
        lo === hi
          ? `every output cell receives ${hi} kernel taps: even overlap, no checkerboard`
          : `output cells receive ${lo} to ${hi} kernel taps: uneven overlap, the checkerboard`,
      cropNote: "padding p > d·(k−1): the direct view crops the zero-inserted input by p − d·(k−1).",
      shape: (i, o) => `${i}×${i} → ${o}×${o}`,
      help: "Hover, or focus a cell with Tab and move with the arrow keys, to see which cells it reads or writes.",
      invalid: "Invalid",
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
        zeros: "零插入并填充后的输入",
      },
      reset: "« 开始",
      back: "‹ 上一步",
      play: "▶ 播放",
      pause: "■ 暂停",
      forward: "下一步 ›",
      end: "结束 »",
      heatmap: "重叠次数热力图",
      stepOf: (n, total) => `第 ${n} / ${total} 步`,
      convStep: (o, cells) => `输出 ${o} 读取 ${cells}`,
      scatterStep: (j, cells) => `输入 ${j} 把一份卷积核加到输出 ${cells}`,
      noCells: "只有填充",
      cellLabel: (grid, r, c, v) => `${grid} (${r}, ${c}) = ${v}`,
      heatLegend: (lo, hi) =>
        lo === hi
          ? `每个输出格子都接收 ${hi} 个卷积核元素：重叠均匀，没有棋盘效应`
          : `输出格子接收 ${lo} 到 ${hi} 个卷积核元素：重叠不均匀，这就是棋盘效应`,
      cropNote: "填充 p > d·(k−1)：直接视图要把零插入后的输入裁掉 p − d·(k−1)。",
      shape: (i, o) => `${i}×${i} → ${o}×${o}`,
      help: "把鼠标移到格子上，或用 Tab 聚焦格子并用方向键移动，即可看到它读取或写入了哪些格子。",
      invalid: "参数无效",
    },
  };

  const RANGES = { i: [1, 6], k: [1, 4], s: [1, 3], p: [0, 3], d: [1, 2], a: [0, 2] };
  const DEFAULTS = { vm: "scatter", i: 3, k: 3, s: 2, p: 0, d: 1, a: 0 };
  const URL_KEYS = { i: "vi", k: "vk", s: "vs", p: "vp", d: "vd", a: "va" };
  const PLAY_MS = 700;

  // ---------- small helpers ----------

  const { h, languageOf } = window.convnotesDom;

  const range = (n) => Array.from({ length: n }, (_, j) => j);
  const key = (r, c) => `${r},${c}`;
  const inputValue = (r, c) => ((r + 2 * c) % 3) + 1;
  const kernelValue = (r, c) => ((r + c) % 2) + 1;

  // ---------- geometry: every (input cell, kernel tap, output cell) that meets ----------

  /**
   * All contributions of a 2d square conv (transposed=false) or transposed conv.
   * Each: {inp: [r, c], tap: [r, c], out: [r, c]}; for conv also the padding reads.
   */
  function contributions({ transposed, i, k, s, p, d, o }) {
    const list = [];
    const padReads = [];
    if (!transposed) {
      for (const [or, oc] of range(o * o).map((n) => [Math.floor(n / o), n % o])) {
        for (const [tr, tc] of range(k * k).map((n) => [Math.floor(n / k), n % k])) {
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
    for (const [jr, jc] of range(i * i).map((n) => [Math.floor(n / i), n % i])) {
      for (const [tr, tc] of range(k * k).map((n) => [Math.floor(n / k), n % k])) {
        const [or, oc] = [jr * s - p + tr * d, jc * s - p + tc * d];
        const inside = or >= 0 && or < o && oc >= 0 && oc < o;
        list.push({ inp: [jr, jc], tap: [tr, tc], out: inside ? [or, oc] : null });
      }
    }
    return { list, padReads };
  }

  // ---------- URL state ----------

  function readState() {
    const query = new URLSearchParams(window.location.search);
    const state = { ...DEFAULTS };
    if (["conv", "scatter", "direct"].includes(query.get("vm"))) state.vm = query.get("vm");
    for (const [name, urlKey] of Object.entries(URL_KEYS)) {
      const value = Number(query.get(urlKey));
      const [lo, hi] = RANGES[name];
      if (query.has(urlKey) && Number.isInteger(value) && value >= lo && value <= hi) {
        state[name] = value;
      }
    }
    state.heat = query.get("vh") === "1";
    return state;
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
  }

  // ---------- the widget ----------

  class Visualizer {
    constructor(root) {
      this.root = root;
      this.t = STRINGS[languageOf(root)];
      this.state = readState();
      this.step = null; // null = finished (show everything)
      this.timer = null;
      this.hover = null; // {grid, r, c}
      this.build();
      this.render();
      window.addEventListener("resize", () => this.render());
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
      this.playButton = h("button", { type: "button", class: "md-button", "data-action": "play", text: t.play, onclick: () => this.togglePlay() });
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
      this.status = h("p", { class: "cn-status", "aria-live": "polite" });
      this.grids = h("div", { class: "cn-grids" });
      this.legend = h("p", { class: "cn-legend" });
      this.root.append(controls, buttons, this.status, this.grids, this.legend, h("p", { class: "cn-hint", text: t.help }));
    }

    change(name, value) {
      this.state[name] = value;
      if (name !== "heat") {
        this.stop();
        this.step = null;
      }
      this.render();
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
      g.positions = transposed && vm === "scatter" ? i * i : o * o;
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
      this.render();
    }

    togglePlay() {
      if (this.timer) return this.stop();
      if (this.current() >= this.total()) this.step = 0;
      this.playButton.textContent = this.t.pause;
      this.timer = window.setInterval(() => this.goto(this.current() + 1), PLAY_MS);
      this.render();
    }

    stop() {
      if (this.timer) window.clearInterval(this.timer);
      this.timer = null;
      this.playButton.textContent = this.t.play;
    }

    // -- what is lit: from hover/focus if any, else the current step --

    litSets() {
      const g = this.g;
      const lit = { input: new Set(), output: new Set(), kernel: new Set(), padded: new Set(), zeros: new Set() };
      const pick = (c) => {
        lit.input.add(key(...c.inp));
        lit.kernel.add(key(...c.tap));
        if (c.out) lit.output.add(key(...c.out));
      };
      const focus = this.hover || this.stepFocus();
      if (!focus) return { lit, focus };
      const [r, c] = [focus.r, focus.c];
      if (focus.grid === "output") {
        g.list.filter((x) => x.out && x.out[0] === r && x.out[1] === c).forEach(pick);
        g.padReads.filter((x) => x.out[0] === r && x.out[1] === c).forEach((x) => {
          lit.padded.add(key(...x.padded));
          lit.kernel.add(key(...x.tap));
        });
        if (g.vm === "direct") for (const z of this.windowOf(r, c)) lit.zeros.add(key(...z));
      } else if (focus.grid === "input") {
        g.list.filter((x) => x.inp[0] === r && x.inp[1] === c).forEach(pick);
      }
      for (const x of lit.input) if (!g.transposed) lit.padded.add(key(...x.split(",").map((v) => Number(v) + g.p)));
      return { lit, focus };
    }

    /** Cells of the zero-inserted grid that output (r, c) covers in the direct view. */
    windowOf(r, c) {
      const { k, d } = this.g;
      const cells = [];
      for (const tr of range(k)) for (const tc of range(k)) cells.push([r + tr * d, c + tc * d]);
      return cells;
    }

    stepFocus() {
      if (this.step === null || this.step === 0) return null;
      const n = this.step - 1;
      const side = this.g.vm === "scatter" ? this.g.i : this.g.o;
      return { grid: this.g.vm === "scatter" ? "input" : "output", r: Math.floor(n / side), c: n % side, fromStep: true };
    }

    /** Output values after `done` positions (all when the animation is finished). */
    outputValues() {
      const g = this.g;
      const done = this.current();
      const values = new Map();
      for (const x of g.list) {
        if (!x.out) continue;
        const order = g.vm === "scatter" ? x.inp[0] * g.i + x.inp[1] : x.out[0] * g.o + x.out[1];
        if (order >= done) continue;
        const tap = x.tap;
        const v = inputValue(...x.inp) * kernelValue(...tap);
        values.set(key(...x.out), (values.get(key(...x.out)) || 0) + v);
      }
      if (g.vm !== "scatter") {
        // cells whose window lies only on padding/zeros are finished with value 0
        for (const n of range(Math.min(done, g.o * g.o))) {
          const cell = key(Math.floor(n / g.o), n % g.o);
          if (!values.has(cell)) values.set(cell, 0);
        }
      }
      return values;
    }

    overlapCounts() {
      const counts = new Map();
      for (const x of this.g.list) if (x.out) counts.set(key(...x.out), (counts.get(key(...x.out)) || 0) + 1);
      return counts;
    }

    /**
     * Overlap counts away from the borders, where every kernel tap can land:
     * outputs d*(k-1) - p ... (i-1)*s - p on each axis (all outputs if that is empty).
     */
    interiorCounts() {
      const g = this.g;
      const counts = this.overlapCounts();
      let [lo, hi] = [Math.max(0, g.d * (g.k - 1) - g.p), Math.min(g.o - 1, (g.i - 1) * g.s - g.p)];
      if (lo > hi) [lo, hi] = [0, g.o - 1];
      const values = [];
      for (let r = lo; r <= hi; r++) for (let c = lo; c <= hi; c++) values.push(counts.get(key(r, c)) || 0);
      return values;
    }

    // -- drawing --

    render() {
      const t = this.t;
      const { vm } = this.state;
      for (const [name, slider] of Object.entries(this.sliders)) {
        slider.value = this.state[name];
        slider.nextElementSibling.textContent = this.state[name];
      }
      this.viewSelect.value = vm;
      this.root.querySelector('[data-slider="a"]').hidden = vm === "conv";
      this.root.querySelector('[data-slider="heat"]').hidden = vm === "conv";
      writeState(this.state);
      try {
        this.g = this.geometry();
      } catch (error) {
        if (!(error instanceof window.convnotes.ConvArgumentError)) throw error;
        this.g = null;
        this.stop();
        this.status.replaceChildren(h("span", { class: "cn-error", role: "alert", text: `${t.invalid}: ${error.message}` }));
        this.grids.replaceChildren();
        this.legend.textContent = "";
        return;
      }
      const g = this.g;
      const { lit, focus } = this.litSets();
      this.renderStatus(lit, focus);
      const panels = [];
      const heat = g.transposed && this.state.heat;
      const cell = this.cellSize();
      if (vm === "conv") {
        panels.push(this.panel("padded", t.grids.padded, g.i + 2 * g.p, (r, c) => this.paddedCell(r, c, lit), cell));
      } else {
        panels.push(this.panel("input", t.grids.input, g.i, (r, c) => ({ grid: "input", r, c, text: inputValue(r, c), on: lit.input.has(key(r, c)) }), cell));
      }
      const flipped = vm === "direct";
      panels.push(
        this.panel(flipped ? "flipped" : "kernel", flipped ? t.grids.flipped : t.grids.kernel, g.k, (r, c) => {
          const [tr, tc] = flipped ? [g.k - 1 - r, g.k - 1 - c] : [r, c];
          return { grid: "kernel", r: tr, c: tc, text: kernelValue(tr, tc), on: lit.kernel.has(key(tr, tc)) };
        }, cell)
      );
      if (vm === "direct") panels.push(this.zerosPanel(lit, cell));
      panels.push(this.outputPanel(lit, heat, cell));
      this.grids.replaceChildren(...panels);
      this.restoreFocus();
      if (heat) {
        const counts = this.interiorCounts();
        this.legend.textContent = t.heatLegend(Math.min(...counts), Math.max(...counts));
      } else {
        this.legend.textContent = vm === "direct" && g.d * (g.k - 1) < g.p ? t.cropNote : "";
      }
    }

    renderStatus(lit, focus) {
      const t = this.t;
      const g = this.g;
      const parts = [h("span", { class: "cn-shapeline", text: t.shape(g.i, g.o) }), " · ", t.stepOf(this.current(), this.total())];
      if (focus) {
        const cells = (set) => [...set].map((x) => `(${x})`).join(" ") || t.noCells;
        parts.push(" · ");
        parts.push(focus.grid === "input" ? t.scatterStep(`(${focus.r},${focus.c})`, cells(lit.output)) : t.convStep(`(${focus.r},${focus.c})`, cells(lit.input)));
      }
      this.status.replaceChildren(...parts);
    }

    cellSize() {
      const g = this.g;
      const width = Math.max(200, this.root.clientWidth || 320);
      const widest = Math.max(g.i + 2 * (g.transposed ? 0 : g.p), this.zerosSize(), g.o);
      return Math.max(9, Math.min(30, Math.floor((width - 8) / widest) - 1));
    }

    zerosSize() {
      const g = this.g;
      if (g.vm !== "direct") return 0;
      return g.o + g.d * (g.k - 1);
    }

    paddedCell(r, c, lit) {
      const g = this.g;
      const [ir, ic] = [r - g.p, c - g.p];
      const inside = ir >= 0 && ir < g.i && ic >= 0 && ic < g.i;
      if (!inside) return { grid: "pad", r, c, text: "0", cls: "cn-pad", on: lit.padded.has(key(r, c)) };
      return { grid: "input", r: ir, c: ic, text: inputValue(ir, ic), on: lit.input.has(key(ir, ic)) };
    }

    zerosPanel(lit, cell) {
      const g = this.g;
      const q = g.d * (g.k - 1) - g.p; // padding of the zero-inserted input in the direct view
      const n = this.zerosSize();
      const last = (g.i - 1) * g.s;
      return this.panel("zeros", this.t.grids.zeros, n, (r, c) => {
        const [ur, uc] = [r - q, c - q];
        const on = lit.zeros.has(key(r, c));
        const isInput = ur >= 0 && uc >= 0 && ur <= last && uc <= last && ur % g.s === 0 && uc % g.s === 0;
        if (isInput) {
          const [ir, ic] = [ur / g.s, uc / g.s];
          const read = on || lit.input.has(key(ir, ic));
          return { grid: "zeros-input", r: ir, c: ic, text: inputValue(ir, ic), on: read };
        }
        const padding = ur < 0 || uc < 0 || ur > last || uc > last;
        const extra = ur > last + q || uc > last + q;
        return { grid: "zeros", r, c, text: "0", on, cls: padding ? `cn-pad${extra ? " cn-extra" : ""}` : "cn-zero" };
      }, cell);
    }

    outputPanel(lit, heat, cell) {
      const g = this.g;
      const values = this.outputValues();
      const counts = heat ? this.overlapCounts() : null;
      const max = counts ? Math.max(1, ...counts.values()) : 1;
      const current = this.stepFocus();
      return this.panel("output", this.t.grids.output, g.o, (r, c) => {
        const k = key(r, c);
        const extra = g.transposed && g.a > 0 && (r >= g.o - g.a || c >= g.o - g.a);
        const spec = { grid: "output", r, c, on: lit.output.has(k), text: values.has(k) ? values.get(k) : "" };
        spec.cls = extra ? "cn-extra" : "";
        if (current && current.grid === "output" && current.r === r && current.c === c) spec.cls += " cn-current";
        if (counts) {
          const count = counts.get(k) || 0;
          spec.text = count;
          spec.cls += ` cn-heat${count / max > 0.6 ? " cn-hot" : ""}`;
          spec.heat = count / max;
        }
        return spec;
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
      for (const r of range(n)) {
        for (const c of range(n)) {
          const spec = cellOf(r, c);
          const el = h("div", {
            class: `cn-cell ${spec.cls || ""}${spec.on ? " cn-on" : ""}`,
            "data-grid": spec.grid,
            "data-r": spec.r,
            "data-c": spec.c,
            "data-pos": key(r, c),
            tabindex: first ? "0" : "-1",
            "aria-label": this.t.cellLabel(title, spec.r, spec.c, spec.text === "" ? "?" : spec.text),
            text: size >= 14 ? spec.text : "",
          });
          if (spec.heat !== undefined) el.style.setProperty("--cn-heat", spec.heat.toFixed(3));
          const target = spec.grid === "input" || spec.grid === "zeros-input" ? "input" : spec.grid === "output" ? "output" : null;
          if (target) {
            const enter = (via) => () =>
              this.setHover({ grid: target, r: spec.r, c: spec.c, pos: key(r, c), name, via });
            el.addEventListener("pointerenter", enter("pointer"));
            el.addEventListener("focus", enter("focus"));
            el.addEventListener("pointerleave", () => this.setHover(null));
          }
          first = false;
          grid.append(el);
        }
      }
      return h("div", { class: "cn-panel" }, h("h4", { text: `${title} (${n}×${n})` }), grid);
    }

    setHover(hover) {
      const same = (x, y) => (x && y ? x.grid === y.grid && x.r === y.r && x.c === y.c && x.name === y.name : x === y);
      if (same(hover, this.hover)) return;
      this.hover = hover;
      this.render();
    }

    /** Keep keyboard focus on the same cell after a redraw (cells are rebuilt). */
    restoreFocus() {
      const h0 = this.hover;
      if (!h0 || h0.via !== "focus") return;
      const el = this.grids.querySelector(`[data-grid-name="${h0.name}"] [data-pos="${h0.pos}"]`);
      if (el) {
        for (const other of el.parentElement.children) other.tabIndex = -1;
        el.tabIndex = 0;
        if (document.activeElement !== el) el.focus({ preventScroll: true });
      }
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
