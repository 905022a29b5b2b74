// The way into the game: HTTP login/register on the page's own origin, then the gate (port 3014 on
// the page's host; ?gate=PORT overrides it), then the connector it names: entry with the token,
// createPlayer when the account has no player yet.
(function (MMO) {
  'use strict';
  var host = window.location.hostname || '127.0.0.1';
  var gatePort = Number(new URLSearchParams(window.location.search).get('gate')) || 3014;

  // POST as JSON; answers the parsed body, or {code: <HTTP status>} when the body is not JSON.
  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) {
          try { return JSON.parse(text); } catch (e) { return { code: res.status, error: text }; }
        });
      });
  }

  function login(username, password) { return post('/login', { username: username, password: password }); }
  function register(name, password) { return post('/register', { name: name, password: password }); }

  function request(client, route, msg) {
    return new Promise(function (resolve) { client.request(route, msg, resolve); });
  }

  function connect(params) {
    return new Promise(function (resolve, reject) {
      var c = new PomeloClient();
      var fail = function () { reject(new Error('cannot connect to ' + params.host + ':' + params.port)); };
      c.on('io-error', fail);
      c.on('error', function (why) { reject(new Error(String(why))); });
      c.init(params, function () { resolve(c); });
    });
  }

  // Gate → connector: resolves to a connected client (the gate connection is closed).
  function enterConnector(uid) {
    return connect({ host: host, port: gatePort }).then(function (gate) {
      return request(gate, 'gate.gateHandler.queryEntry', { uid: uid }).then(function (res) {
        gate.disconnect();
        if (!res || res.code !== 200) throw new Error('the gate found no connector (code ' + (res && res.code) + ')');
        // The connector's host may be the servers' own 127.0.0.1: use the host the page came from.
        var h = (!res.host || res.host === '127.0.0.1' || res.host === 'localhost') ? host : res.host;
        return connect({ host: h, port: res.port });
      });
    });
  }

  MMO.Net = { login: login, register: register, request: request, enterConnector: enterConnector, gatePort: gatePort };
})(window.MMO = window.MMO || {});
