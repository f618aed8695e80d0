// Loads the islands' wasm once the page is usable, at low priority, and
// only where it has work before the next navigation (bundle/mod.rs).
(async (js, wasm) => {
  // Before the wasm: a slider moves the field it follows and back (the
  // set-target form), so the page is usable while the wasm is on its way.
  // The server sends such sliders hidden: shown only once this runs.
  const follow = (slider, value) => {
    slider.value = value;
    slider.setAttribute("aria-valuetext", slider.dataset.valuetext.replace("{}", value));
  };
  addEventListener("input", ({ target }) => {
    if (target.dataset.follows) {
      const field = document.getElementById(target.dataset.follows);
      if (field) field.value = target.value;
      follow(target, target.value);
    } else if (target.id) {
      for (const slider of document.querySelectorAll(`input[data-follows="${target.id}"]`)) {
        follow(slider, target.value);
      }
    }
  });
  for (const slider of document.querySelectorAll("input[data-follows]")) {
    const field = document.getElementById(slider.dataset.follows);
    if (field) follow(slider, field.value);
    slider.hidden = false;
  }
  const islands = [...document.querySelectorAll("leptos-island")];
  // The clock island alone only rewrites marked times; with none on the
  // page (the login page), the wasm would be a download for nothing.
  const needed =
    // (Leptos names an island's function after it plus a hash.)
    islands.some((el) => !/^TimeTicker(_\d+)?$/.test(el.dataset.component)) ||
    document.querySelector("[data-until],[data-since],[data-local]");
  if (!needed) {
    document.documentElement.dataset.wasm = "skipped";
    return;
  }
  if (document.readyState !== "complete") {
    await new Promise((done) => addEventListener("load", done, { once: true }));
  }
  const mod = await import(js);
  await mod.default({ module_or_path: fetch(wasm, { priority: "low" }) });
  mod.hydrate();
  for (const el of islands) {
    const island = mod[el.dataset.component];
    if (island) await island(el);
  }
})
