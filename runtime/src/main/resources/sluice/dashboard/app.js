// The Sluice dashboard: reads /dashboard/summary every 2 s and fills the page. No libraries and
// nothing fetched from elsewhere; the throughput chart is drawn as SVG here. The admin token
// comes from the page's fragment (#token=..., never sent to the server, removed from the address
// bar at once) or the form, and is kept in sessionStorage for this tab only.
(function () {
  'use strict';
  var TOKEN_KEY = 'sluice-admin-token';
  var REFRESH_MS = 2000;
  var SVG = 'http://www.w3.org/2000/svg';

  function byId(id) { return document.getElementById(id); }

  function takeTokenFromFragment() {
    var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, '', window.location.pathname + window.location.search);
    }
  }

  function setText(id, text) {
    var el = byId(id);
    if (el) { el.textContent = text; }
  }

  function count(n) { return n === null || n === undefined ? '–' : String(Math.round(n)); }
  function fixed(n, digits) { return n === null || n === undefined ? '–' : n.toFixed(digits); }
  function percent(share) { return share === null || share === undefined ? '–' : (100 * share).toFixed(1) + ' %'; }
  function bytes(n) {
    if (n === null || n === undefined) { return '–'; }
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    var v = n;
    while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(Math.round(v)) : v.toFixed(1)) + ' ' + units[i];
  }

  function fillTable(tableId, values) {
    var body = byId(tableId).tBodies[0];
    var keys = Object.keys(values || {}).sort(function (a, b) { return values[b] - values[a]; });
    body.textContent = '';
    if (keys.length === 0) {
      var empty = body.insertRow();
      empty.className = 'empty';
      empty.insertCell().textContent = 'none';
      return;
    }
    var max = Math.max.apply(null, keys.map(function (k) { return values[k]; })) || 1;
    keys.forEach(function (key) {
      var row = body.insertRow();
      row.dataset.key = key;
      row.insertCell().textContent = key;
      var n = row.insertCell();
      n.className = 'n';
      n.textContent = count(values[key]);
      var bar = row.insertCell();
      bar.className = 'bar';
      var fill = document.createElement('div');
      fill.style.width = (100 * values[key] / max).toFixed(1) + '%';
      bar.appendChild(fill);
    });
  }

  function fillModels(models) {
    var body = byId('models').tBodies[0];
    body.textContent = '';
    (models || []).forEach(function (m) {
      var heads = m.heads || [];
      var row = body.insertRow();
      row.dataset.model = m.name;
      row.insertCell().textContent = m.name;
      row.insertCell().textContent = m.bundle || m.reference + ' (not loaded)';
      var serving = row.insertCell();
      serving.className = 'serving';
      serving.textContent = heads.length ? heads.map(function (h) { return h.servingVersion; }).join(', ') : (m.version || '–');
      var digest = row.insertCell();
      digest.textContent = m.digest ? m.digest.substring(0, 19) + '…' : '–';
      digest.title = m.digest || '';
      row.insertCell().textContent = m.trust || '–';
      row.insertCell().textContent = m.signer || '–';
      row.insertCell().textContent = heads.length ? heads[0].labels.join(', ') : '–';
      row.insertCell().textContent = m.rollout ? m.rollout.state : '–';
    });
  }

  function fillRollouts(models) {
    var body = byId('rollouts').tBodies[0];
    var events = [];
    (models || []).forEach(function (m) {
      ((m.rollout && m.rollout.history) || []).forEach(function (e) {
        events.push({ model: m.name, event: e });
      });
    });
    events.sort(function (a, b) { return a.event.at < b.event.at ? 1 : -1; });
    body.textContent = '';
    if (events.length === 0) {
      var empty = body.insertRow();
      empty.className = 'empty';
      var cell = empty.insertCell();
      cell.colSpan = 5;
      cell.textContent = 'no rollout yet';
      return;
    }
    events.forEach(function (item) {
      var e = item.event;
      var row = body.insertRow();
      row.dataset.state = e.state;
      row.insertCell().textContent = new Date(e.at).toLocaleTimeString();
      row.insertCell().textContent = item.model;
      row.insertCell().textContent = e.state;
      row.insertCell().textContent = e.candidate;
      row.insertCell().textContent = e.reason;
    });
  }

  function drawChart(series) {
    var svg = byId('throughput-chart');
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var width = 800, height = 200, left = 40, bottom = 20;
    var points = series || [];
    var max = 1;
    points.forEach(function (p) { max = Math.max(max, p.recordsPerSecond, p.forwardedPerSecond); });
    max = niceCeiling(max);
    for (var g = 0; g <= 4; g++) {
      var y = (height - bottom) * (1 - g / 4);
      var line = document.createElementNS(SVG, 'line');
      line.setAttribute('class', 'grid');
      line.setAttribute('x1', left); line.setAttribute('x2', width);
      line.setAttribute('y1', y); line.setAttribute('y2', y);
      svg.appendChild(line);
      var label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', 2); label.setAttribute('y', Math.max(10, y - 2));
      label.textContent = String(Math.round(max * g / 4));
      svg.appendChild(label);
    }
    if (points.length < 2) { return; }
    var t0 = points[0].t, t1 = points[points.length - 1].t;
    var span = Math.max(1, t1 - t0);
    ['recordsPerSecond', 'forwardedPerSecond'].forEach(function (field, i) {
      var path = points.map(function (p) {
        var x = left + (width - left) * (p.t - t0) / span;
        var y = (height - bottom) * (1 - p[field] / max);
        return x.toFixed(1) + ',' + y.toFixed(1);
      }).join(' ');
      var polyline = document.createElementNS(SVG, 'polyline');
      polyline.setAttribute('class', i === 0 ? 'in' : 'fwd');
      polyline.setAttribute('points', path);
      svg.appendChild(polyline);
    });
    var end = document.createElementNS(SVG, 'text');
    end.setAttribute('x', width - 60); end.setAttribute('y', height - 4);
    end.textContent = Math.round(span / 1000) + ' s';
    svg.appendChild(end);
  }

  function niceCeiling(v) {
    var magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * magnitude >= v) { return steps[i] * magnitude; }
    }
    return 10 * magnitude;
  }

  function render(s) {
    setText('topology', s.topology);
    setText('kind', s.kind === 'CLOUD' ? 'cloud' : 'gateway');
    var health = byId('health');
    health.textContent = s.health;
    health.className = 'badge ' + (s.health === 'UP' ? 'up' : s.health === 'DEGRADED' ? 'degraded' : 'down');
    setText('records-rate', fixed(s.rates.recordsPerSecond, 1));
    setText('records-in', count(s.totals.recordsIn));
    setText('forward-share', percent(s.rates.forwardShare));
    setText('forwarded', count(s.totals.forwarded));
    setText('forwarded-rate', fixed(s.rates.forwardedPerSecond, 1));
    setText('bytes-saved', bytes(s.totals.bytesSaved));
    setText('bytes-saved-share', percent(s.totals.bytesSavedShare));
    setText('bytes-in', bytes(s.totals.bytesIn));
    setText('dead-letters', count(s.totals.deadLetters));
    var inf = s.latencyMs.inference, queue = s.latencyMs.queueWait, batch = s.batchSize;
    setText('lat-inference-p50', fixed(inf.p50, 1));
    setText('lat-inference-p95', fixed(inf.p95, 1));
    setText('lat-inference-p99', fixed(inf.p99, 1));
    setText('lat-inference-count', count(inf.count));
    setText('lat-queue-p50', fixed(queue.p50, 1));
    setText('lat-queue-p95', fixed(queue.p95, 1));
    setText('lat-queue-p99', fixed(queue.p99, 1));
    setText('lat-queue-count', count(queue.count));
    setText('latency-over', inf.over);
    setText('batch-mean', fixed(batch.mean, 1));
    setText('batch-p50', fixed(batch.p50, 1));
    setText('batch-p95', fixed(batch.p95, 1));
    setText('batch-count', count(batch.count));
    setText('batch-over', batch.over);
    fillTable('forward-reasons', s.forwardByReason);
    fillTable('routes', s.routes);
    fillTable('dlq-reasons', s.deadLettersByReason);
    fillModels(s.models);
    fillRollouts(s.models);
    drawChart(s.series);
    setText('status', 'updated ' + new Date(s.time).toLocaleTimeString());
    document.body.dataset.loaded = 'true';
  }

  function refresh() {
    var headers = { 'Accept': 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { headers.Authorization = 'Bearer ' + token; }
    fetch('/dashboard/summary', { headers: headers, cache: 'no-store' }).then(function (response) {
      if (response.status === 401) {
        byId('token-form').hidden = false;
        setText('token-error', token ? 'that token was refused' : '');
        setText('status', 'needs the admin token');
        return null;
      }
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      byId('token-form').hidden = true;
      return response.json();
    }).then(function (summary) {
      if (summary) { render(summary); }
    }).catch(function (e) {
      setText('status', 'cannot reach the gateway: ' + e.message);
    });
  }

  takeTokenFromFragment();
  byId('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, byId('token-input').value.trim());
    byId('token-input').value = '';
    refresh();
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
}());
