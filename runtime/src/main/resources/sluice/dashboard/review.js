// The review page: lists GET /v1/review and sends decisions to POST /v1/review/{id}, with the
// keyboard for the fast path. The admin token is read as on the dashboard (fragment or form,
// kept in sessionStorage); the reviewer's name is kept in localStorage.
(function () {
  'use strict';
  var TOKEN_KEY = 'sluice-admin-token';
  var REVIEWER_KEY = 'sluice-reviewer';
  var REFRESH_MS = 2000;
  var items = [];
  var selected = 0;
  var busy = false;

  function byId(id) { return document.getElementById(id); }
  function setText(id, text) { var el = byId(id); if (el) { el.textContent = text; } }

  function takeTokenFromFragment() {
    var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, '', window.location.pathname + window.location.search);
    }
  }

  function headers() {
    var h = { 'Accept': 'application/json' };
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { h.Authorization = 'Bearer ' + token; }
    return h;
  }

  function reviewer() {
    var name = byId('reviewer').value.trim();
    return name || 'reviewer';
  }

  function render() {
    var body = byId('items').tBodies[0];
    body.textContent = '';
    if (items.length === 0) {
      var empty = body.insertRow();
      empty.className = 'empty';
      var cell = empty.insertCell();
      cell.colSpan = 6;
      cell.textContent = 'nothing to review';
      return;
    }
    selected = Math.max(0, Math.min(selected, items.length - 1));
    items.forEach(function (item, i) {
      var row = body.insertRow();
      row.className = 'item' + (i === selected ? ' selected' : '');
      row.dataset.id = item.id;
      row.insertCell().textContent = item.text || '';
      row.insertCell().textContent = item.source + (item.deviceId ? ' / ' + item.deviceId : '');
      row.insertCell().textContent = item.time ? new Date(item.time).toLocaleString() : '–';
      row.insertCell().textContent = item.reason;
      var candidates = row.insertCell();
      (item.candidates || []).slice(0, 3).forEach(function (c, k) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'candidate';
        b.dataset.label = c.label;
        b.textContent = (k + 1) + ' ' + c.label + ' ' + (100 * c.confidence).toFixed(0) + '%';
        b.addEventListener('click', function () { decide(item, { label: c.label }); });
        candidates.appendChild(b);
      });
      var actions = row.insertCell();
      var input = document.createElement('input');
      input.className = 'new-label';
      input.placeholder = 'new label';
      input.size = 12;
      input.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' && input.value.trim()) {
          event.preventDefault();
          decide(item, { label: input.value.trim() });
        } else if (event.key === 'Escape') {
          input.blur();
        }
        event.stopPropagation();
      });
      actions.appendChild(input);
      var reject = document.createElement('button');
      reject.type = 'button';
      reject.textContent = 'x reject';
      reject.addEventListener('click', function () { decide(item, { reject: true }); });
      actions.appendChild(reject);
      row.addEventListener('click', function () { selected = i; mark(); });
    });
  }

  function mark() {
    var rows = byId('items').tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle('selected', i === selected);
    }
  }

  function decide(item, decision) {
    if (busy) { return; }
    busy = true;
    decision.reviewer = reviewer();
    var h = headers();
    h['Content-Type'] = 'application/json';
    fetch('/v1/review/' + encodeURIComponent(item.id), {
      method: 'POST', headers: h, body: JSON.stringify(decision)
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (r) {
      if (r.status === 200 || r.status === 409) {
        setText('review-error', r.status === 409 ? 'someone decided that one already' : '');
        items = items.filter(function (other) { return other.id !== item.id; });
        render();
      } else {
        setText('review-error', (r.body && r.body.error && r.body.error.message) || ('HTTP ' + r.status));
      }
    }).catch(function (e) {
      setText('review-error', 'cannot reach the gateway: ' + e.message);
    }).then(function () {
      busy = false;
      refresh();
    });
  }

  function onKey(event) {
    if (event.target && event.target.tagName === 'INPUT') { return; }
    var item = items[selected];
    if (event.key === 'j' || event.key === 'ArrowDown') {
      selected = Math.min(selected + 1, items.length - 1); mark(); event.preventDefault();
    } else if (event.key === 'k' || event.key === 'ArrowUp') {
      selected = Math.max(selected - 1, 0); mark(); event.preventDefault();
    } else if (item && /^[1-3]$/.test(event.key)) {
      var c = (item.candidates || [])[Number(event.key) - 1];
      if (c) { decide(item, { label: c.label }); }
      event.preventDefault();
    } else if (item && event.key === 'x') {
      decide(item, { reject: true }); event.preventDefault();
    } else if (item && event.key === 'n') {
      var row = byId('items').tBodies[0].rows[selected];
      var input = row && row.querySelector('input.new-label');
      if (input) { input.focus(); }
      event.preventDefault();
    }
  }

  function refresh() {
    if (busy) { return; }
    fetch('/v1/review?limit=100', { headers: headers(), cache: 'no-store' }).then(function (response) {
      if (response.status === 401) {
        byId('token-form').hidden = false;
        setText('status', 'needs the admin token');
        return null;
      }
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      byId('token-form').hidden = true;
      return response.json();
    }).then(function (body) {
      if (!body) { return; }
      var focused = document.activeElement && document.activeElement.classList.contains('new-label');
      setText('review-pending', String(body.pending));
      setText('review-decided', String(body.decided));
      setText('review-feedback', String(body.labelled));
      if (!focused) {
        items = body.items;
        render();
      }
      setText('status', 'updated ' + new Date().toLocaleTimeString());
      document.body.dataset.loaded = 'true';
    }).catch(function (e) {
      setText('status', 'cannot reach the gateway: ' + e.message);
    });
  }

  takeTokenFromFragment();
  byId('reviewer').value = localStorage.getItem(REVIEWER_KEY) || '';
  byId('reviewer').addEventListener('change', function () {
    localStorage.setItem(REVIEWER_KEY, byId('reviewer').value.trim());
  });
  byId('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, byId('token-input').value.trim());
    byId('token-input').value = '';
    refresh();
  });
  document.addEventListener('keydown', onKey);
  refresh();
  setInterval(refresh, REFRESH_MS);
}());
