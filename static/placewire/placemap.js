/* Placewire's map in the browser: base geography, clustered places, labels, time, clicks.

   components/map.py draws a folium map whose script never changes between reruns (so
   streamlit-folium never remounts it and the reader's view stays) and calls, once per mount,
       placewire.init(map, config)
   and, on every rerun, through streamlit-folium's feature group (a few hundred bytes),
       placewire.update(state)
   state: {layer: URL of the place layer (a static JSON file per filter), reference: URL of the
   reference labels, selected: {id, lat, lon} or null, heat, labels (booleans), view or fit (used
   on the first update of a mount only), range: {start, end, unit, at_end}}.
   Everything the page learns from the map goes back as one value, {pw: {type, ..., seq, mount}}:
   a marker click ({type: "select", pid}) or a play step ({type: "step", dir, unit}).

   Text from the store (place names) only ever reaches the page through textContent. */
(function () {
  "use strict";

  const PW = (window.placewire = window.placewire || {});
  const DWELL_MS = 700; // how long a play step stays on screen once drawn
  const ADD_CHUNK = 2000; // markers added per task: the page stays responsive while 20,000 go in
  const MAX_LABELS = 120;
  const MAX_TOWNS = 30;
  const LABEL_FONT = "600 12px 'Liberation Sans', Arial, sans-serif";
  // Reference towns shown from a zoom on, by population: the collision test does the rest.
  const TOWN_MIN_POP = [[10, 0], [8, 25000], [7, 50000], [6, 100000], [5, 250000], [4, 700000], [0, 2500000]];
  const BASE_STYLE = {
    land: { color: "#8fb0c6", weight: 0.9, fillColor: "#f4f1ea", fillOpacity: 1 },
    lakes: { color: "#8fb0c6", weight: 0.7, fillColor: "#cfe0ec", fillOpacity: 1 },
    rivers: { color: "#6fa8d6", weight: 1.3, opacity: 0.9 },
    borders: { color: "#8c7f70", weight: 1.1 },
    admin1: { color: "#a89c8e", weight: 0.8, dashArray: "4 3" },
  };

  let map, config, renderer, clusters, heat = null, ring = null;
  let state = {};
  let mounted = false;
  const mount = Math.random().toString(36).slice(2);
  let seq = 0;
  let layer = { url: null, places: [], byId: new Map(), styles: [], kinds: [], most: 1 };
  let wantedLayer = null;
  let adding = null; // the layer's markers going in, chunk by chunk: {cancelled}
  let reference = { url: null, countries: [], towns: [] };
  const admin1 = { index: null, loaded: new Map(), names: [] };
  const base = {};
  let playing = false, playTimer = null, unit = "week";
  let labelFrame = null;
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = LABEL_FONT;

  PW.drawn = 0; // layers drawn since the mount (tests and benchmarks wait on it)
  let firstDrawn;
  const firstLayer = new Promise((resolve) => { firstDrawn = resolve; });
  PW.base = base;

  // ---------------------------------------------------------------- setup, once per mount

  PW.init = function (leafletMap, cfg) {
    map = leafletMap;
    config = cfg;
    for (const [name, z] of [["pw-base", 250], ["pw-heat", 380], ["pw-places", 450],
                             ["pw-clusters", 460], ["pw-ring", 470], ["pw-labels", 480]]) {
      map.createPane(name).style.zIndex = z;
    }
    map.getPane("pw-ring").style.pointerEvents = "none";
    map.getPane("pw-labels").style.pointerEvents = "none";
    map.getContainer().classList.add("pw-map");
    renderer = L.canvas({ pane: "pw-base", padding: 0.3 });
    if (config.attribution) map.attributionControl.addAttribution(config.attribution);

    clusters = L.markerClusterGroup({
      maxClusterRadius: 44,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      zoomToBoundsOnClick: true,
      animate: false,
      removeOutsideVisibleBounds: true,
      clusterPane: "pw-clusters",
      iconCreateFunction: clusterIcon,
    });
    map.addLayer(clusters);

    addControls();
    map.on("zoomstart", () => { map.getPane("pw-labels").style.display = "none"; });
    map.on("moveend", () => {
      map.getPane("pw-labels").style.display = "";
      loadAdmin1InView();
      scheduleLabels();
    });
    clusters.on("spiderfied unspiderfied", scheduleLabels);
    if (config.base) loadBase();
  };

  // ---------------------------------------------------------------- each rerun

  PW.update = function (next) {
    const previous = state;
    state = next;
    if (!mounted) {
      mounted = true;
      if (next.view) map.setView([next.view[0], next.view[1]], next.view[2], { animate: false });
      else if (next.fit) map.fitBounds(next.fit, { padding: [40, 40], maxZoom: 8, animate: false });
    }
    updateLegend();
    updatePlayer();
    if (next.reference && next.reference !== reference.url) loadReference(next.reference);
    // (against the layer asked for last, not the one drawn: going back to the drawn one while
    // another loads must load it again, or the other would be drawn when it comes)
    if (next.layer !== wantedLayer) {
      loadLayer(next.layer);
    } else {
      setHeat();
      drawRing(previous.selected);
      scheduleLabels();
      if (playing && rangeChanged(previous, next)) playOn();
    }
  };

  function rangeChanged(a, b) {
    return !a.range || !b.range || a.range.start !== b.range.start || a.range.end !== b.range.end;
  }

  // ---------------------------------------------------------------- the place layer

  async function loadLayer(url) {
    wantedLayer = url;
    let data = null;
    try {
      if (url) data = await fetchJSON(url);
    } catch (err) {
      console.error("placewire: the place layer did not load", url, err);
    }
    if (wantedLayer !== url) return; // a newer filter came in meanwhile
    drawLayer(url, data || { places: [], styles: [], kinds: [] });
  }

  function drawLayer(url, data) {
    const next = new Map();
    let most = 1;
    for (const row of data.places) {
      const [id, lat, lon, mentions, name, style, radius, kind, last] = row;
      next.set(id, { id, lat, lon, mentions, name, style, radius, kind, last });
      if (mentions > most) most = mentions;
    }
    // Keep markers of places still there (restyled), drop the others, add the new ones: a
    // play step or a date change then redraws only what changed. A style's index is its own
    // file's: styles are compared, not indexes.
    const before = layer.styles.map((style) => JSON.stringify(style));
    const after = data.styles.map((style) => JSON.stringify(style));
    const gone = [], added = [], changed = [];
    for (const [id, old] of layer.byId) {
      const p = next.get(id);
      if (!p || p.lat !== old.lat || p.lon !== old.lon) gone.push(old.marker);
    }
    for (const [id, p] of next) {
      const old = layer.byId.get(id);
      if (old && old.lat === p.lat && old.lon === p.lon) {
        p.marker = old.marker;
        p.marker.pw = p;
        const restyled = before[old.style] !== after[p.style] || old.radius !== p.radius;
        if (restyled) {
          p.marker.setStyle(data.styles[p.style]);
          p.marker.setRadius(p.radius);
        }
        // not in yet when the last layer's drawing was cut short by this one
        if (!clusters.hasLayer(p.marker)) added.push(p.marker);
        else if (restyled || old.mentions !== p.mentions) changed.push(p.marker);
      } else {
        p.marker = placeMarker(p, data.styles[p.style]);
        added.push(p.marker);
      }
    }
    layer = { url, places: data.places, byId: next, styles: data.styles, kinds: data.kinds, most };
    if (gone.length) clusters.removeLayers(gone);
    if (changed.length) clusters.refreshClusters(changed);
    addInChunks(added, () => {
      setHeat();
      drawRing(null);
      scheduleLabels();
      PW.drawn += 1; // only once the whole layer is in
      firstDrawn();
      if (playing) playOn();
    });
  }

  /* The markers into the clusters, ADD_CHUNK per task, then `done`. A newer layer cancels what
     is left (its own diff then removes what went in), so no marker of an older layer is added
     after it, and `done` runs for the layer drawn whole only. */
  function addInChunks(markers, done) {
    if (adding) adding.cancelled = true;
    const job = (adding = { cancelled: false });
    let at = 0;
    const step = () => {
      if (job.cancelled) return;
      if (at < markers.length) {
        clusters.addLayers(markers.slice(at, at + ADD_CHUNK));
        at += ADD_CHUNK;
      }
      if (at < markers.length) {
        setTimeout(step, 0);
      } else {
        adding = null;
        done();
      }
    };
    step();
  }

  function placeMarker(p, style) {
    const marker = L.circleMarker([p.lat, p.lon], Object.assign({ pane: "pw-places", radius: p.radius }, style));
    marker.pw = p;
    marker.feature = { type: "Feature", properties: { pid: p.id } };
    marker.bindTooltip(() => tooltip(marker.pw), { direction: "top", offset: [0, -4], opacity: 0.95 });
    marker.on("click", () => select(marker.pw));
    return marker;
  }

  function tooltip(p) {
    const box = document.createElement("div");
    const name = document.createElement("b");
    name.textContent = p.name;
    const kind = document.createElement("span");
    kind.className = "pw-tip-kind";
    kind.textContent = " " + (layer.kinds[p.kind] || "");
    const line = document.createElement("div");
    const unit = state.unit || "mention"; // "event" in the view of where things happened
    line.textContent = `${p.mentions} ${unit}${p.mentions === 1 ? "" : "s"}` +
      (p.last ? ` · latest ${p.last}` : " · no known date");
    box.append(name, kind, line);
    return box;
  }

  /* A cluster: a donut of its places by the recency of their latest mention (legend order)
     around the sum of their mentions. */
  function clusterIcon(cluster) {
    let sum = 0, top = null;
    const byColour = new Map();
    for (const m of cluster.getAllChildMarkers()) {
      const p = m.pw;
      sum += p.mentions;
      if (!top || p.mentions > top.mentions) top = p;
      const colour = (layer.styles[p.style] || {}).fillColor;
      byColour.set(colour, (byColour.get(colour) || 0) + 1);
    }
    const count = cluster.getChildCount();
    const size = Math.round(28 + 9 * Math.log10(Math.max(sum, 1)));
    cluster.pw = { mentions: sum, top, count, size };
    let at = 0;
    const stops = [];
    for (const [colour] of (state.legend || config.legend).colours) {
      const n = byColour.get(colour);
      if (!n) continue;
      const to = at + (100 * n) / count;
      stops.push(`${colour} ${at.toFixed(1)}% ${to.toFixed(1)}%`);
      at = to;
    }
    const disc = document.createElement("div");
    disc.className = "pw-cluster";
    disc.style.width = disc.style.height = `${size}px`;
    disc.style.background = `conic-gradient(${stops.join(", ")})`;
    const text = document.createElement("span");
    text.textContent = sum >= 10000 ? `${Math.round(sum / 1000)}k` : sum >= 1000 ? `${(sum / 1000).toFixed(1)}k` : String(sum);
    disc.append(text);
    disc.title = `${count} places, ${sum} mentions: click to zoom in`;
    return L.divIcon({ html: disc, className: "pw-cluster-icon", iconSize: [size, size] });
  }

  // ---------------------------------------------------------------- selection, heat

  function select(p) {
    state = Object.assign({}, state, { selected: { id: p.id, lat: p.lat, lon: p.lon } });
    drawRing(null);
    send({ type: "select", pid: p.id });
  }

  function send(event) {
    seq += 1;
    window.Streamlit.setComponentValue({ pw: Object.assign({ seq, mount }, event) });
  }

  function drawRing(previousSelected) {
    const sel = state.selected;
    if (ring) { map.removeLayer(ring); ring = null; }
    if (!sel) return;
    const p = layer.byId.get(sel.id);
    ring = L.circleMarker([sel.lat, sel.lon], {
      pane: "pw-ring", radius: (p ? p.radius : 8) + 6, color: "#111", weight: 3, fill: false, interactive: false,
    }).addTo(map);
    // chosen elsewhere (search, reader) and out of sight: bring it into view, same zoom
    if (previousSelected !== null && (!previousSelected || previousSelected.id !== sel.id) &&
        !map.getBounds().contains([sel.lat, sel.lon])) {
      map.panTo([sel.lat, sel.lon]);
    }
  }

  function setHeat() {
    if (!state.heat) {
      if (heat) { map.removeLayer(heat); heat = null; }
      return;
    }
    const points = layer.places.map((r) => [r[1], r[2], r[3] / layer.most]);
    if (!heat) heat = L.heatLayer(points, { pane: "pw-heat", radius: 22, blur: 18, minOpacity: 0.3, max: 1 }).addTo(map);
    else heat.setLatLngs(points);
  }

  // ---------------------------------------------------------------- base map (Natural Earth)

  /* Fetched while the places load, built once they are drawn (what a person waits for), one
     layer per task so the page stays responsive. Coasts are the land's outline. */
  async function loadBase() {
    const world = await fetchJSON(config.base.world);
    await firstLayer;
    const steps = [
      ["land", () => topojson.feature(world, world.objects.land)],
      ["lakes", () => topojson.feature(world, world.objects.lakes)],
      ["rivers", () => topojson.feature(world, world.objects.rivers)],
      // borders between countries only (a mesh), so coasts are not drawn twice
      ["borders", () => topojson.mesh(world, world.objects.countries, (a, b) => a !== b)],
    ];
    for (const [name, geojson] of steps) {
      base[name] = L.geoJSON(geojson(), { renderer, interactive: false, style: BASE_STYLE[name] }).addTo(map);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    try {
      admin1.index = await fetchJSON(config.base.admin1_index);
    } catch (err) {
      admin1.index = {};
    }
    loadAdmin1InView();
  }

  // First-level divisions (governorates, provinces) of the countries in view, from zoom 5.
  function loadAdmin1InView() {
    if (!admin1.index || map.getZoom() < 5) return;
    const view = map.getBounds();
    for (const [code, [w, s, e, n]] of Object.entries(admin1.index)) {
      if (admin1.loaded.has(code) || !view.intersects([[s, w], [n, e]])) continue;
      admin1.loaded.set(code, null);
      fetchJSON(`${config.base.admin1}${code}.topo.json`).then((topo) => {
        const object = topo.objects[Object.keys(topo.objects)[0]];
        const lines = L.geoJSON(topojson.mesh(topo, object, (a, b) => a !== b),
                                { renderer, interactive: false, style: BASE_STYLE.admin1 });
        lines.addTo(map);
        base.borders && base.borders.bringToFront();
        admin1.loaded.set(code, lines);
        for (const f of topojson.feature(topo, object).features) {
          const name = f.properties && f.properties.name;
          if (name) admin1.names.push({ name, at: L.geoJSON(f).getBounds().getCenter() });
        }
        scheduleLabels();
      }).catch(() => {}); // no divisions for that country: its outline is enough
    }
  }

  async function loadReference(url) {
    reference.url = url;
    try {
      const data = await fetchJSON(url);
      if (reference.url !== url) return;
      reference.countries = data.countries;
      reference.towns = data.towns;
    } catch (err) {
      console.error("placewire: reference labels did not load", err);
    }
    scheduleLabels();
  }

  // ---------------------------------------------------------------- labels, decluttered

  // (a timer, not requestAnimationFrame: Chromium holds frames back in an iframe not yet shown)
  function scheduleLabels() {
    if (labelFrame) return;
    labelFrame = setTimeout(() => { labelFrame = null; drawLabels(); }, 30);
  }

  /* Greedy placement: the places of the layer (biggest first), then countries, reference towns
     by population, and divisions, each label kept only where it overlaps none already placed. */
  function drawLabels() {
    const pane = map.getPane("pw-labels");
    pane.replaceChildren();
    PW.labels = [];
    if (!state.labels) return;
    const view = map.getBounds().pad(0.02);
    const zoom = map.getZoom();
    const size = map.getSize();
    // the controls (zoom, player, legend) are taken already
    const frame = map.getContainer().getBoundingClientRect();
    const placed = Array.from(map.getContainer().querySelectorAll(".leaflet-control"), (c) => {
      const r = c.getBoundingClientRect();
      return { x1: r.left - frame.left, y1: r.top - frame.top, x2: r.right - frame.left, y2: r.bottom - frame.top };
    });
    const fits = (box) => box.x1 >= 0 && box.y1 >= 0 && box.x2 <= size.x && box.y2 <= size.y &&
      !placed.some((o) => box.x1 < o.x2 && box.x2 > o.x1 && box.y1 < o.y2 && box.y2 > o.y1);
    // `room`: empty space kept around the label, so reference names stay sparse
    const put = (text, latlng, cls, radius, anchor, room = 0) => {
      if (placed.length - taken >= MAX_LABELS) return false;
      const pt = map.latLngToContainerPoint(latlng);
      const w = measure.measureText(text).width + 4, h = 15;
      const sides = anchor === "centre" ? [[-w / 2, -h / 2]] : [[radius + 3, -h / 2], [-radius - 3 - w, -h / 2]];
      for (const [dx, dy] of sides) {
        const box = { x1: pt.x + dx, y1: pt.y + dy, x2: pt.x + dx + w, y2: pt.y + dy + h };
        const roomy = { x1: box.x1 - room, y1: box.y1 - room, x2: box.x2 + room, y2: box.y2 + room };
        if (!fits(room ? roomy : box)) continue;
        placed.push(room ? roomy : box);
        const el = document.createElement("div");
        el.className = `pw-label ${cls}`;
        el.textContent = text;
        const at = map.containerPointToLayerPoint([box.x1, box.y1]);
        L.DomUtil.setPosition(el, at);
        pane.appendChild(el);
        PW.labels.push(text);
        return true;
      }
      return false;
    };

    // 1. what is on the map now: single places and clusters, most mentioned first
    const shown = [];
    clusters._featureGroup.eachLayer((l) => {
      if (!view.contains(l.getLatLng())) return;
      if (l instanceof L.MarkerCluster) {
        if (l.pw && l.pw.top) shown.push({ n: l.pw.mentions, text: `${l.pw.top.name} +${l.pw.count - 1}`, at: l.getLatLng(), r: l.pw.size / 2, cls: "pw-label-cluster" });
      } else if (l.pw) {
        shown.push({ n: l.pw.mentions, text: l.pw.name, at: l.getLatLng(), r: l.pw.radius, cls: "pw-label-place" });
      }
    });
    // markers and discs are taken too: a name never covers a place
    for (const s of shown) {
      const pt = map.latLngToContainerPoint(s.at);
      placed.push({ x1: pt.x - s.r, y1: pt.y - s.r, x2: pt.x + s.r, y2: pt.y + s.r });
    }
    const taken = placed.length;
    shown.sort((a, b) => b.n - a.n);
    for (const s of shown) put(s.text, s.at, s.cls, s.r);
    if (!config.base) return; // a tile server draws its own names
    // 2. countries (up to zoom 6), 3. towns by population, 4. divisions (from zoom 6)
    if (zoom <= 6) {
      for (const [name, lat, lon] of reference.countries) {
        if (view.contains([lat, lon])) put(name, [lat, lon], "pw-label-country", 0, "centre", 6);
      }
    }
    const minPop = TOWN_MIN_POP.find(([z]) => zoom >= z)[1];
    let towns = 0;
    for (const [id, name, lat, lon, pop] of reference.towns) {
      if (pop < minPop) break; // sorted by population, largest first
      if (layer.byId.has(id) || !view.contains([lat, lon])) continue;
      if (towns >= MAX_TOWNS) break;
      if (put(name, [lat, lon], "pw-label-town", 2, undefined, 10)) {
        towns += 1;
        const dot = document.createElement("div");
        dot.className = "pw-town-dot";
        L.DomUtil.setPosition(dot, map.latLngToLayerPoint([lat, lon]));
        pane.appendChild(dot);
      }
    }
    if (zoom >= 6) {
      for (const d of admin1.names) if (view.contains(d.at)) put(d.name, d.at, "pw-label-admin1", 0, "centre");
    }
  }

  // ---------------------------------------------------------------- controls: legend, play, fit

  let legendBox, playBox, rangeText, playButton;

  function addControls() {
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      legendBox = L.DomUtil.create("div", "pw-legend");
      L.DomEvent.disableClickPropagation(legendBox);
      return legendBox;
    };
    legend.addTo(map);

    const fit = L.control({ position: "topleft" });
    fit.onAdd = () => {
      const b = L.DomUtil.create("button", "pw-fit");
      b.type = "button";
      b.textContent = "⤢";
      b.title = "Fit the map to the places";
      L.DomEvent.disableClickPropagation(b);
      b.addEventListener("click", () => {
        if (state.fit) map.fitBounds(state.fit, { padding: [40, 40], maxZoom: 8 });
      });
      return b;
    };
    fit.addTo(map);

    const player = L.control({ position: "topright" });
    player.onAdd = () => {
      playBox = L.DomUtil.create("div", "pw-player");
      L.DomEvent.disableClickPropagation(playBox);
      L.DomEvent.disableScrollPropagation(playBox);
      const button = (text, title, onClick) => {
        const b = L.DomUtil.create("button", "", playBox);
        b.type = "button";
        b.textContent = text;
        b.title = title;
        b.addEventListener("click", onClick);
        return b;
      };
      button("◀", "One step back", () => { stopPlaying(); send({ type: "step", dir: -1, unit }); });
      playButton = button("▶ Play", "Play the range forward step by step", () => {
        if (playing) stopPlaying();
        else { playing = true; playButton.textContent = "❚❚ Pause"; send({ type: "step", dir: 1, unit }); }
      });
      playButton.classList.add("pw-play");
      button("▶|", "One step forward", () => { stopPlaying(); send({ type: "step", dir: 1, unit }); });
      const pick = L.DomUtil.create("select", "", playBox);
      pick.title = "Step by";
      for (const u of ["week", "month"]) {
        const o = document.createElement("option");
        o.value = u;
        o.textContent = `by ${u}`;
        pick.appendChild(o);
      }
      pick.addEventListener("change", () => { unit = pick.value; });
      rangeText = L.DomUtil.create("div", "pw-range", playBox);
      return playBox;
    };
    player.addTo(map);
  }

  function stopPlaying() {
    playing = false;
    clearTimeout(playTimer);
    if (playButton) playButton.textContent = "▶ Play";
  }

  function playOn() {
    clearTimeout(playTimer);
    if (state.range && state.range.at_end) { stopPlaying(); return; }
    playTimer = setTimeout(() => { if (playing) send({ type: "step", dir: 1, unit }); }, DWELL_MS);
  }

  function updatePlayer() {
    if (!playBox) return;
    const r = state.range;
    playBox.style.display = r ? "" : "none";
    if (!r) return;
    if (r.unit && !playing) {
      unit = r.unit;
      playBox.querySelector("select").value = unit;
    }
    rangeText.textContent = r.start === r.end ? r.start : `${r.start} – ${r.end}`;
  }

  function updateLegend() {
    if (!legendBox) return;
    const legend = state.legend || config.legend; // the view's own colours, if it has them
    legendBox.replaceChildren();
    const title = L.DomUtil.create("div", "pw-legend-title", legendBox);
    title.textContent = state.range ? `${legend.title} ${state.range.end}:` : `${legend.title}:`;
    const row = L.DomUtil.create("div", "pw-legend-row", legendBox);
    for (const [colour, label] of legend.colours) {
      const item = L.DomUtil.create("span", "pw-legend-item", row);
      const dot = L.DomUtil.create("span", "pw-dot", item);
      dot.style.background = colour;
      item.append(label);
    }
    for (const note of legend.notes) L.DomUtil.create("div", "pw-legend-note", legendBox).textContent = note;
  }

  // ---------------------------------------------------------------- for tests and benchmarks

  /* Where a place is drawn, in the map's pixels, and whether it stands alone there (not inside a
     cluster). */
  PW.locate = function (pid) {
    const p = layer.byId.get(pid);
    if (!p) return null;
    let shown = p.marker; // (markercluster's getVisibleParent knows icon markers only)
    while (shown && !clusters._featureGroup.hasLayer(shown)) shown = shown.__parent;
    const at = map.latLngToContainerPoint(shown ? shown.getLatLng() : [p.lat, p.lon]);
    return { x: at.x, y: at.y, alone: shown === p.marker, clustered: !!shown && shown !== p.marker };
  };

  /* A place of the layer as drawn: {id, name, lat, lon, mentions, last, radius, colour}, or null. */
  PW.place = function (pid) {
    const p = layer.byId.get(pid);
    return p ? { id: p.id, name: p.name, lat: p.lat, lon: p.lon, mentions: p.mentions, last: p.last, radius: p.radius,
                 colour: p.marker.options.fillColor } : null;
  };

  /* The markers in the clusters now (each place's one, once its layer is drawn). */
  PW.markerCount = function () {
    return clusters.getLayers().length;
  };

  /* The places of the layer with this name: [{id, kind}] (a city and its governorate share one). */
  PW.placesNamed = function (name) {
    return [...layer.byId.values()].filter((p) => p.name === name).map((p) => ({ id: p.id, kind: layer.kinds[p.kind] }));
  };

  /* The cluster drawn at a point of the map: the ids of its places and their summed mentions. */
  PW.clusterAt = function (x, y) {
    let found = null;
    clusters._featureGroup.eachLayer((l) => {
      if (!(l instanceof L.MarkerCluster) || !l.pw) return;
      const c = map.latLngToContainerPoint(l.getLatLng());
      if (Math.hypot(c.x - x, c.y - y) <= l.pw.size / 2) found = l;
    });
    return found && { ids: found.getAllChildMarkers().map((m) => m.pw.id), mentions: found.pw.mentions };
  };

  function fetchJSON(url) {
    return fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${r.status} ${url}`);
      return r.json();
    });
  }
})();
