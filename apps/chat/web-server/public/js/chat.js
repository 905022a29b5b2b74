// The chat page: chatofpomelo's flow (gate -> queryEntry -> connector -> enter), a user list kept
// live by onAdd/onLeave, broadcast and private messages (onChat).
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var host = window.location.hostname || '127.0.0.1';
  // chatofpomelo's gate port; ?gate=PORT overrides it (tests run clusters on free ports).
  var gatePort = Number(new URLSearchParams(window.location.search).get('gate')) || 3014;
  var me = null, room = null, client = null;

  function status(text) { $('status').textContent = text; }
  function addMessage(text, cls) {
    var li = document.createElement('li');
    li.textContent = text;
    if (cls) li.className = cls;
    $('messages').appendChild(li);
    $('messages').scrollTop = $('messages').scrollHeight;
  }
  function setUsers(users) {
    $('users').innerHTML = '';
    var target = $('target'), chosen = target.value;
    target.innerHTML = '<option value="*">everyone</option>';
    users.slice().sort().forEach(function (u) {
      var li = document.createElement('li');
      li.textContent = u + (u === me ? ' (you)' : '');
      li.dataset.user = u;
      $('users').appendChild(li);
      if (u !== me) {
        var opt = document.createElement('option');
        opt.value = u; opt.textContent = u;
        target.appendChild(opt);
      }
    });
    if (users.indexOf(chosen) >= 0) target.value = chosen;
  }
  function users() {
    return Array.prototype.map.call($('users').children, function (li) { return li.dataset.user; });
  }

  function enter(name, rid) {
    var gate = new PomeloClient();
    status('asking the gate');
    gate.on('io-error', function () { $('login-error').textContent = 'cannot reach the gate on port ' + gatePort; });
    gate.init({ host: host, port: gatePort }, function () {
      gate.request('gate.gateHandler.queryEntry', { uid: name }, function (entry) {
        gate.disconnect();
        if (entry.code !== 200) { $('login-error').textContent = 'no connector available'; return; }
        client = new PomeloClient();
        client.on('onAdd', function (m) { setUsers(users().concat([m.user])); addMessage(m.user + ' joined', 'system'); });
        client.on('onLeave', function (m) {
          setUsers(users().filter(function (u) { return u !== m.user; }));
          addMessage(m.user + ' left', 'system');
        });
        client.on('onChat', function (m) {
          var to = m.target === '*' ? '' : ' (to ' + m.target + ')';
          addMessage(m.from + to + ': ' + m.msg, m.target === '*' ? '' : 'private');
        });
        client.on('onKick', function () { status('kicked'); });
        client.on('close', function () { status('disconnected'); });
        client.init({ host: entry.host === '127.0.0.1' ? host : entry.host, port: entry.port }, function () {
          client.request('connector.entryHandler.enter', { username: name, rid: rid }, function (res) {
            if (res.error) { $('login-error').textContent = 'that name is taken in this room'; client.disconnect(); return; }
            me = name; room = rid;
            $('login').hidden = true; $('chat').hidden = false;
            $('room-name').textContent = rid;
            setUsers(res.users);
            status('connected as ' + name + ' on port ' + entry.port);
          });
        });
      });
    });
  }

  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    $('login-error').textContent = '';
    enter($('username').value.trim(), $('room').value.trim());
  });
  $('send-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('text').value, target = $('target').value;
    if (!text) return;
    client.request('chat.chatHandler.send', { content: text, target: target }, function () {});
    if (target !== '*') addMessage('you (to ' + target + '): ' + text, 'private');
    $('text').value = '';
  });
})();
