// Bulwark dashboard: renders the snapshots that /api/stream sends (one per tick) into the panels.
// Every value from the server is put into the page as text (textContent), never as markup.
'use strict';
(function () {
  const VIEWS = ['topology', 'red', 'breakers', 'topics', 'gateway', 'sagas', 'slos', 'autoscaler', 'faults', 'timeline'];
  const token = new URLSearchParams(location.search).get('token');
  const charts = {};
  let snapshot = null;
  let sagaListAt = 0;
  let sagaSelected = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      if (c instanceof Node) { const td = document.createElement('td'); td.appendChild(c); tr.appendChild(td); }
      else if (typeof c === 'number') { tr.appendChild(el('td', c, 'num')); }
      else tr.appendChild(el('td', c));
    }
    return tr;
  }
  const filled = {};
  // rebuilds a table's rows only when its data changed (a button does not move under the mouse)
  function fill(tableId, rows, key) {
    if (key !== undefined) {
      if (filled[tableId] === key) return;
      filled[tableId] = key;
    }
    const body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren(...(typeof rows === 'function' ? rows() : rows));
  }
  function pct(x) { return (100 * x).toFixed(1) + ' %'; }
  function time(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }
  function esc(s) { return echarts.format.encodeHTML(String(s)); }
  function headers(write) {
    const h = {};
    if (token) h['authorization'] = 'Bearer ' + token;
    if (write) { h['x-bulwark-dashboard'] = '1'; h['content-type'] = 'application/json'; }
    return h;
  }
  function api(path) {
    return fetch(path, { headers: headers(false) }).then(r => r.json().then(b => ({ status: r.status, body: b })));
  }
  function act(method, path, body) {
    return fetch(path, { method: method, headers: headers(true), body: body === undefined ? undefined : JSON.stringify(body) })
      .then(r => r.json().then(b => ({ status: r.status, body: b })));
  }
  function absent(section, panel) {
    const p = document.querySelector('#view-' + section + ' .absent');
    if (!p) return false;
    const missing = panel && panel.available === false;
    p.hidden = !missing;
    p.textContent = missing ? (panel.reason || 'not in this system') : '';
    const table = document.querySelector('#view-' + section + ' table');
    if (table) table.hidden = missing;
    const form = document.querySelector('#view-' + section + ' form');
    if (form) form.hidden = missing;
    return missing;
  }

  // ------------------------------------------------------------------ views
  function currentView() {
    const v = location.hash.replace('#', '');
    return VIEWS.includes(v) ? v : 'topology';
  }
  function showView() {
    const v = currentView();
    for (const name of VIEWS) {
      document.getElementById('view-' + name).classList.toggle('shown', name === v);
    }
    for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === '#' + v);
    if (snapshot) render(snapshot);
    for (const k in charts) charts[k].resize();
  }

  // ------------------------------------------------------------------ panels
  function renderTopology(t) {
    const rows = [];
    for (const s of t.services) {
      const health = el('span', s.health + ' (' + s.ready + '/' + s.total + ')', 'badge h-' + s.health);
      const r = row([s.name + ' ' + s.version, health, s.rps, pct(s.errorRatio), s.rateLimitedPerSecond, s.unavailablePerSecond, s.p99Ms]);
      r.cells[2].id = 'rps-' + s.name;
      r.cells[3].id = 'errors-' + s.name;
      rows.push(r);
    }
    const instances = t.services.flatMap(s => s.instances);
    const select = document.getElementById('scale-service');
    if (select.options.length !== t.services.length) {
      select.replaceChildren(...t.services.map(s => { const o = el('option', s.name); o.value = s.name; return o; }));
    }
    fill('instances-table', () => instances.map(i => {
      const actions = el('span');
      for (const action of ['kill', 'restart']) {
        const btn = el('button', action, 'small');
        btn.type = 'button';
        btn.dataset.instance = i.id;
        btn.dataset.action = action;
        btn.addEventListener('click', () => instanceAction(i.id, action));
        actions.appendChild(btn);
      }
      const state = el('span', i.state, 'badge s-' + i.state);
      const r = row([i.id, state, i.version, i.port > 0 ? i.port : '', actions]);
      r.id = 'instance-' + i.id;
      return r;
    }), JSON.stringify(instances));
    fill('topology-table', rows);
    if (currentView() !== 'topology') return;
    const chart = chartFor('topology-graph');
    const color = { healthy: '#3a9a5a', degraded: '#d9a400', down: '#c33' };
    const names = new Set(t.services.map(s => s.name));
    const nodes = t.services.map(s => ({ name: s.name, value: s.rps, itemStyle: { color: color[s.health] || '#888' },
      label: { show: true, position: 'bottom', color: '#1c2430', formatter: s.name + ' ' + s.ready + '/' + s.total } }));
    for (const e of t.edges) {
      if (!names.has(e.to)) { names.add(e.to); nodes.push({ name: e.to, itemStyle: { color: '#9aa3ae' }, label: { show: true, position: 'bottom', color: '#1c2430' } }); }
    }
    const links = t.edges.map(e => ({ source: e.from, target: e.to,
      value: e.rps + ' req/s, ' + pct(e.errorRatio) + ' errors',
      label: { show: e.measured, formatter: e.rps.toFixed(1) + '/s, ' + pct(e.errorRatio) + ' err' },
      lineStyle: { type: e.measured ? 'solid' : 'dashed', width: e.measured ? 1 + Math.min(6, Math.log10(1 + e.rps) * 2) : 1,
        color: e.errorRatio > 0.05 ? '#c33' : '#556' } }));
    chart.setOption({
      tooltip: { formatter: p => p.dataType === 'edge' ? esc(p.data.source) + ' \u2192 ' + esc(p.data.target) + ': ' + esc(p.data.value) : esc(p.name) },
      series: [{ type: 'graph', layout: 'force', roam: true, draggable: true, symbolSize: 36,
        force: { repulsion: 500, edgeLength: 160 }, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 9,
        data: nodes, links: links }]
    });
  }

  function renderRed(red) {
    const routes = red.routes.map(r => row([r.service, r.route, r.rps, pct(r.errorRatio), r.meanMs, r.requests]));
    fill('routes-table', routes);
    if (currentView() !== 'red') return;
    renderRouteChart(red.routeHistory || []);
    const box = document.getElementById('red-charts');
    for (const name of Object.keys(red.services)) {
      const id = 'red-' + name;
      if (!document.getElementById(id)) {
        const wrap = el('div');
        wrap.appendChild(el('h3', name));
        const c = el('div', null, 'chart');
        c.id = id;
        wrap.appendChild(c);
        box.appendChild(wrap);
      }
      const h = red.services[name];
      const x = h.t.map(t => new Date(t).toLocaleTimeString());
      chartFor(id).setOption({
        animation: false,
        tooltip: { trigger: 'axis', renderMode: 'richText' },
        legend: { data: ['req/s', 'errors %', '429 %', '503 %', 'p50 ms', 'p99 ms'] },
        grid: { left: 50, right: 50, top: 40, bottom: 30 },
        xAxis: { type: 'category', data: x },
        yAxis: [{ type: 'value', name: 'req/s, %' }, { type: 'value', name: 'ms' }],
        series: [
          { name: 'req/s', type: 'line', showSymbol: false, data: h.rps },
          { name: 'errors %', type: 'line', showSymbol: false, data: h.errorPct, itemStyle: { color: '#c33' } },
          { name: '429 %', type: 'line', showSymbol: false, data: h.rateLimitedPct, itemStyle: { color: '#d80' } },
          { name: '503 %', type: 'line', showSymbol: false, data: h.unavailablePct, itemStyle: { color: '#808' } },
          { name: 'p50 ms', type: 'line', showSymbol: false, yAxisIndex: 1, data: h.p50Ms },
          { name: 'p99 ms', type: 'line', showSymbol: false, yAxisIndex: 1, data: h.p99Ms }
        ]
      });
    }
  }

  // one chart for the route chosen in #route-select (the busiest of the last tick by default)
  function renderRouteChart(histories) {
    const select = document.getElementById('route-select');
    const keys = histories.map(h => h.service + ' ' + h.route);
    const shown = Array.from(select.options).map(o => o.value);
    if (JSON.stringify(shown) !== JSON.stringify(keys)) {
      const chosen = select.value;
      select.replaceChildren(...keys.map(k => { const o = el('option', k); o.value = k; return o; }));
      if (keys.includes(chosen)) select.value = chosen;
      else if (histories.length) {
        const last = h => h.rps.length ? h.rps[h.rps.length - 1] : 0;
        const busiest = histories.reduce((a, b) => last(b) > last(a) ? b : a);
        select.value = busiest.service + ' ' + busiest.route;
      }
    }
    const h = histories.find(x => x.service + ' ' + x.route === select.value);
    if (!h) return;
    chartFor('route-chart').setOption({
      animation: false,
      title: { text: h.service + ' ' + h.route, left: 'center', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { data: ['req/s', 'errors %', 'mean ms'], top: 22 },
      grid: { left: 50, right: 50, top: 55, bottom: 30 },
      xAxis: { type: 'category', data: h.t.map(t => new Date(t).toLocaleTimeString()) },
      yAxis: [{ type: 'value', name: 'req/s, %' }, { type: 'value', name: 'ms' }],
      series: [
        { name: 'req/s', type: 'line', showSymbol: false, data: h.rps },
        { name: 'errors %', type: 'line', showSymbol: false, data: h.errorPct, itemStyle: { color: '#c33' } },
        { name: 'mean ms', type: 'line', showSymbol: false, yAxisIndex: 1, data: h.meanMs }
      ]
    }, true);
  }

  function renderBreakers(list) {
    fill('breakers-table', list.map(b => row([b.instance, b.breaker, el('span', b.state, 'badge s-' + b.state), b.reason, b.transitions])));
  }

  function renderTopics(t) {
    if (absent('topics', t)) return;
    fill('topics-table', t.list.map(l => row([l.topic, l.partition, l.group, l.endOffset, l.committed, l.lag])));
    const p = document.querySelector('#view-topics .absent');
    if (t.error) { p.hidden = false; p.textContent = t.error; }
  }

  function renderGateway(g) {
    if (absent('gateway', g)) {
      for (const id of ['gateway-clusters', 'gateway-reloads']) document.getElementById(id).hidden = true;
      return;
    }
    for (const id of ['gateway-clusters', 'gateway-reloads']) document.getElementById(id).hidden = false;
    const routes = [], clusters = [], reloads = [];
    for (const gw of g.list) {
      if (gw.error) { routes.push(row([gw.name, gw.error])); continue; }
      for (const r of gw.routes) {
        routes.push(row([gw.name, r.name, r.match, r.target, Number(r.rps.toFixed(1)), r.requests, r.errors, r.timeouts, r.refused, pct(r.errorRatio), Number(r.meanMillis.toFixed(2))]));
      }
      for (const c of gw.clusters) {
        const eps = c.endpoints.length ? c.endpoints : [{ id: '', address: '', status: 'no endpoint', inFlight: 0 }];
        for (const e of eps) {
          const status = e.status.startsWith('refused') ? 'refused' : e.status;
          clusters.push(row([gw.name, c.name, c.attempts, c.failures, c.ejected, e.id, e.address, el('span', e.status, 'badge g-' + status.replace(/[^a-z]/g, '')), e.inFlight]));
        }
      }
      for (const r of gw.reloads.slice().reverse()) {
        reloads.push(row([gw.name, r.version, time(new Date(r.atMillis).toISOString()), r.changes]));
      }
    }
    fill('gateway-routes', routes);
    fill('gateway-clusters', clusters);
    fill('gateway-reloads', reloads);
  }

  function renderSlos(s) {
    if (absent('slos', s)) return;
    fill('slos-table', s.list.map(o => {
      const bar = el('span', null, 'budget');
      const fillBar = el('span');
      fillBar.style.width = Math.max(0, Math.min(100, 100 * o.budgetRemaining)) + '%';
      bar.appendChild(fillBar);
      const cell = el('span');
      cell.appendChild(bar);
      cell.appendChild(document.createTextNode(pct(o.budgetRemaining)));
      return row([o.slo, String(o.objective), cell, o.firing.length ? o.firing.join(', ') : 'none']);
    }));
  }

  function renderAutoscaler(a) {
    if (absent('autoscaler', a)) return;
    fill('autoscaler-table', a.decisions.map(d => row([time(d.at), d.service, d.policy, d.from, d.to, d.reason])));
  }

  function renderFaults(f) {
    if (absent('faults', f)) return;
    fill('faults-table', () => f.active.map(a => {
      const b = el('button', 'clear', 'small');
      b.type = 'button';
      b.dataset.fault = a.id;
      b.addEventListener('click', () => act('DELETE', '/api/faults/' + encodeURIComponent(a.id)).then(report));
      return row([a.id, a.detail, a.radius, a.experiment, time(a.expiresAt), a.injections, b]);
    }), JSON.stringify(f.active));
  }

  function renderTimeline(list) {
    fill('timeline-table', list.map(e => {
      const r = row([time(e.at), e.kind, e.subject, e.detail]);
      r.className = 'k-' + e.kind;
      return r;
    }));
  }

  function renderSagas(s) {
    if (absent('sagas', s)) return;
    if (currentView() !== 'sagas' || Date.now() - sagaListAt < 2000) return;
    sagaListAt = Date.now();
    api('/api/sagas/runs?limit=50').then(r => {
      const p = document.querySelector('#view-sagas .absent');
      if (r.status !== 200) { p.hidden = false; p.textContent = r.body.message || ('HTTP ' + r.status); return; }
      fill('sagas-table', () => r.body.runs.map(run => {
        const tr = row([run.runId, run.workflow, run.status, run.cause || '', time(run.createdAt)]);
        tr.className = 'clickable';
        tr.addEventListener('click', () => { sagaSelected = run.runId; showSaga(); });
        return tr;
      }), JSON.stringify(r.body.runs));
      if (sagaSelected) showSaga();
    });
  }

  function showSaga() {
    api('/api/sagas/runs/' + encodeURIComponent(sagaSelected)).then(r => {
      const d = document.getElementById('saga-detail');
      if (r.status !== 200) { d.hidden = true; return; }
      d.hidden = false;
      document.getElementById('saga-detail-title').textContent = r.body.runId + ' (' + r.body.workflow + ', ' + r.body.status + ')';
      fill('saga-steps', r.body.steps.map(s => row([s.index, s.name, s.kind, s.status, s.attempts, s.compensationAttempts, s.error || ''])));
      fill('saga-events', r.body.timeline.map(e => row([time(e.at), e.kind, e.detail])));
    });
  }

  function render(s) {
    snapshot = s;
    if (!s.system) return;
    document.getElementById('system-name').textContent = s.system.name;
    document.getElementById('updated').textContent = 'updated ' + time(s.system.at);
    renderTopology(s.topology);
    renderRed(s.red);
    renderBreakers(s.breakers);
    renderTopics(s.topics);
    if (s.gateway) renderGateway(s.gateway);
    renderSagas(s.sagas);
    renderSlos(s.slos);
    renderAutoscaler(s.autoscaler);
    renderFaults(s.faults);
    renderTimeline(s.timeline);
  }

  function chartFor(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id));
    return charts[id];
  }

  // ------------------------------------------------------------------ actions
  function report(r) {
    const m = document.getElementById('fault-message');
    const ok = r.status >= 200 && r.status < 300;
    m.className = 'message ' + (ok ? 'ok' : 'bad');
    m.textContent = ok ? JSON.stringify(r.body) : (r.body.field ? r.body.field + ' \u2014 ' : '') + r.body.message;
  }
  function instanceAction(id, action) {
    act('POST', '/api/instances/' + encodeURIComponent(id) + '/' + action).then(r => {
      if (r.status !== 200) alert(r.body.message);
    });
  }
  function scale(ev) {
    ev.preventDefault();
    const service = val('scale-service');
    const m = document.getElementById('scale-message');
    m.textContent = 'scaling ' + service + '...';
    act('POST', '/api/services/' + encodeURIComponent(service) + '/scale', { instances: Number(val('scale-instances')) })
      .then(r => {
        const ok = r.status === 200;
        m.className = 'message ' + (ok ? 'ok' : 'bad');
        m.textContent = ok ? service + ': ' + r.body.instances + ' instances' : r.body.field + ' \u2014 ' + r.body.message;
      });
  }
  function val(id) { return document.getElementById(id).value.trim(); }
  function startFault(ev) {
    ev.preventDefault();
    const type = val('fault-type');
    const fault = { type: type };
    if (type === 'http-error') fault.status = Number(val('fault-status'));
    if (type === 'latency') fault.delay = val('fault-delay');
    const radius = { points: ['http-server'] };
    if (val('fault-service')) radius.service = val('fault-service');
    if (val('fault-route')) radius.route = val('fault-route');
    if (val('fault-percent')) radius.percent = Number(val('fault-percent'));
    const body = { fault: fault, radius: radius, duration: val('fault-duration') };
    if (val('fault-experiment')) body.experiment = val('fault-experiment');
    act('POST', '/api/faults', body).then(report);
  }

  // ------------------------------------------------------------------ start
  function connect() {
    const conn = document.getElementById('conn');
    const es = new EventSource('/api/stream' + (token ? '?token=' + encodeURIComponent(token) : ''));
    es.addEventListener('snapshot', e => {
      conn.textContent = 'live';
      conn.classList.add('live');
      render(JSON.parse(e.data));
    });
    es.onerror = () => { conn.textContent = 'reconnecting'; conn.classList.remove('live'); };
  }

  document.getElementById('fault-form').addEventListener('submit', startFault);
  document.getElementById('scale-form').addEventListener('submit', scale);
  document.getElementById('route-select').addEventListener('change', () => { if (snapshot) renderRed(snapshot.red); });
  document.getElementById('fault-clear-all').addEventListener('click', () => act('DELETE', '/api/faults').then(report));
  window.addEventListener('hashchange', showView);
  window.addEventListener('resize', () => { for (const k in charts) charts[k].resize(); });
  showView();
  connect();
})();
