// The page around the canvas: login and hero forms, HUD, skill bar, bag and equipment panels, chat,
// team panel, NPC dialogs and small notices. Only DOM work here; game.js decides what happens.
(function (MMO) {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var SLOTS = ['weapon', 'armor', 'helmet', 'necklace', 'ring', 'belt', 'shoes', 'legguard', 'amulet'];
  var cb = {};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A row of a data table from loadResource (game.js keys every table by id).
  function row(table, id) { return (table && table[id]) || null; }

  function itemName(S, type, id) {
    var r = row(S.data[type === 'equipment' ? 'equipment' : 'item'], id);
    return r && r.name ? r.name : (type === 'equipment' ? 'Equipment ' : 'Item ') + id;
  }
  function equipmentSlot(S, id) {
    var r = row(S.data.equipment, id);
    return r && SLOTS.indexOf(r.kind) >= 0 ? r.kind : null;
  }

  var UI = {
    SLOTS: SLOTS, itemName: itemName, equipmentSlot: equipmentSlot,

    init: function (callbacks) {
      cb = callbacks;
      var form = $('login-form'), role = 210;
      form.addEventListener('submit', function (e) { e.preventDefault(); cb.login($('username').value.trim(), $('password').value); });
      $('register').addEventListener('click', function () {
        if (form.reportValidity()) cb.register($('username').value.trim(), $('password').value);
      });
      Array.prototype.forEach.call(document.querySelectorAll('.hero-choice'), function (b) {
        b.addEventListener('click', function () {
          role = Number(b.dataset.role);
          Array.prototype.forEach.call(document.querySelectorAll('.hero-choice'), function (o) { o.classList.toggle('chosen', o === b); });
        });
      });
      $('create-form').addEventListener('submit', function (e) { e.preventDefault(); cb.create($('hero-name').value.trim(), role); });
      $('chat-form').addEventListener('submit', function (e) {
        e.preventDefault();
        cb.chat($('chat-scope').value, $('chat-text').value, $('chat-to').value.trim());
        $('chat-text').value = '';
      });
      $('chat-scope').addEventListener('change', function () { $('chat-to').hidden = $('chat-scope').value !== 'private'; });
      $('btn-bag').addEventListener('click', function () { UI.toggle('bag'); });
      $('btn-equip').addEventListener('click', function () { UI.toggle('equip'); });
      $('btn-team').addEventListener('click', function () { UI.toggle('team'); });
      $('btn-task').addEventListener('click', function () { UI.toggle('task'); });
      $('btn-skills').addEventListener('click', function () { UI.toggle('skills'); });
      $('team-create').addEventListener('click', function () { cb.team.create(); });
      $('team-leave').addEventListener('click', function () { cb.team.leave(); });
      $('team-disband').addEventListener('click', function () { cb.team.disband(); });
      drawHeroPreviews();
    },

    status: function (text, bad) {
      var s = $('status');
      s.textContent = text; s.classList.toggle('bad', !!bad); s.hidden = !text;
    },
    show: function (which) {
      $('login').hidden = which !== 'login';
      $('create').hidden = which !== 'create';
      $('hud').hidden = which !== 'game';
    },
    setArea: function (name) { $('area-name').textContent = name; },
    toggle: function (panel) { var p = $('panel-' + panel); p.hidden = !p.hidden; },

    hud: function (S, me) {
      var p = S.me;
      $('hud-name').textContent = p.name + ' \u00b7 Lv ' + (p.level || 1);
      bar('hud-hp', me.hp, p.maxHp || me.maxHp, 'HP');
      bar('hud-mp', p.mp, p.maxMp, 'MP');
      bar('hud-exp', p.experience, p.nextLevelExp, 'EXP');
    },

    refreshPanels: function (S) {
      if (!S.me) return;
      renderBag(S); renderEquip(S); renderSkills(S); renderSkillList(S); UI.refreshTeam(S); UI.refreshTasks(S);
    },

    refreshTeam: function (S) {
      var list = $('team-list'), inTeam = S.me && S.me.teamId > 0;
      list.innerHTML = '';
      Object.keys(S.team || {}).forEach(function (pid) {
        var m = S.team[pid], li = el('li', '', (m.isCaptain ? '\u2691 ' : '') + m.name + ' Lv' + m.level + ' ' + m.hp + '/' + m.maxHp);
        li.dataset.playerId = pid;
        if (S.me.isCaptain && Number(pid) !== S.me.id) {
          var k = el('button', 'small', 'kick');
          k.addEventListener('click', function () { cb.team.kick(Number(pid)); });
          li.appendChild(k);
        }
        list.appendChild(li);
      });
      $('team-create').hidden = inTeam;
      $('team-leave').hidden = !inTeam || S.me.isCaptain;
      $('team-disband').hidden = !inTeam || !S.me.isCaptain;
    },

    // The task panel: the running or finished task with its progress, or an offer to take one.
    refreshTasks: function (S) {
      var body = $('task-body'), task = (S.me.curTasks || []).find(function (t) { return t.taskState === 0 || t.taskState === 1; });
      body.innerHTML = '';
      if (task) {
        body.appendChild(el('div', 'task-name', task.name));
        body.appendChild(el('p', 'talk', task.taskState === 1 ? task.finishTalk : task.workTalk));
        var need = parseJson(task.completeCondition), done = parseJson(task.taskData);
        var kinds = Object.keys(need);
        if (kinds.length) body.appendChild(el('div', 'progress', 'Killed ' + (done.mobKilled || done.playerKilled || 0) + ' / ' + need[kinds[0]]));
        if (task.taskState === 1) button(body, 'Hand over', 'task-handover', cb.task.handover);
      } else if (S.offeredTask) {
        body.appendChild(el('div', 'task-name', S.offeredTask.name));
        body.appendChild(el('p', 'talk', S.offeredTask.acceptTalk || String(S.offeredTask.desc || '').split(';')[0]));
        body.appendChild(el('div', '', 'Reward: ' + S.offeredTask.exp + ' exp'));
        button(body, 'Accept', 'task-accept', function () { cb.task.start(S.offeredTask.id); });
      } else button(body, 'Ask for a task', 'task-ask', cb.task.ask);
    },

    notice: function (text) {
      var n = el('div', 'notice', text);
      $('notices').appendChild(n);
      setTimeout(function () { n.remove(); }, 4000);
    },

    chatLine: function (m, scope) {
      var li = el('li', 'chat-' + (m.kind === 1 ? 'system' : scope));
      var tag = { world: '[World]', area: '[Area]', team: '[Team]', private: '[Private]', system: '' }[scope] || '';
      li.appendChild(el('span', 'who', (tag ? tag + ' ' : '') + (m.from ? m.from + ': ' : '')));
      li.appendChild(document.createTextNode(m.content));  // text, never HTML: chat is hostile input
      var log = $('chat-log');
      log.appendChild(li);
      while (log.children.length > 100) log.removeChild(log.firstChild);
      log.scrollTop = log.scrollHeight;
    },

    whisperTo: function (name) {
      $('chat-scope').value = 'private'; $('chat-to').hidden = false; $('chat-to').value = name; $('chat-text').focus();
    },

    npcDialog: function (S, m, travel) {
      var d = $('npc-dialog');
      d.innerHTML = '';
      d.appendChild(el('p', 'npc-word', m.npcword || '…'));
      if (m.myword) d.appendChild(el('p', 'my-word', m.myword));
      if (m.action === 'changeArea' && m.params && m.params.target) {
        var go = el('button', '', 'Travel');
        go.id = 'npc-travel';
        go.addEventListener('click', function () { d.hidden = true; travel(m.params.target); });
        d.appendChild(go);
      }
      var close = el('button', '', 'Close');
      close.addEventListener('click', function () { d.hidden = true; });
      d.appendChild(close);
      d.hidden = false;
    },

    confirm: function (text, done) {
      var d = el('div', 'confirm');
      d.appendChild(el('p', '', text));
      [['Accept', true], ['Decline', false]].forEach(function (b) {
        var btn = el('button', b[1] ? 'accept' : '', b[0]);
        btn.addEventListener('click', function () { d.remove(); done(b[1]); });
        d.appendChild(btn);
      });
      $('notices').appendChild(d);
    },

    playerMenu: function (S, ent, sx, sy, actions) {
      var m = $('player-menu');
      m.innerHTML = '';
      m.appendChild(el('div', 'title', ent.name + ' Lv' + (ent.level || 1)));
      var items = [['Attack', 'attack'], ['Whisper', 'whisper']];
      if (S.me.isCaptain && !ent.teamId) items.push(['Invite to team', 'invite']);
      if (!S.me.teamId && ent.teamId && ent.isCaptain) items.push(['Ask to join', 'apply']);
      items.forEach(function (it) {
        var b = el('button', '', it[0]);
        b.addEventListener('click', function () { UI.hideMenu(); actions[it[1]](ent); });
        m.appendChild(b);
      });
      m.style.left = sx + 'px'; m.style.top = sy + 'px'; m.hidden = false;
    },
    hideMenu: function () { $('player-menu').hidden = true; },
  };

  function parseJson(v) {
    if (v && typeof v === 'object') return v;
    try { var o = JSON.parse(v); return o && typeof o === 'object' ? o : {}; } catch (e) { return {}; }
  }
  function button(parent, text, id, fn) {
    var b = el('button', '', text);
    b.id = id; b.addEventListener('click', fn);
    parent.appendChild(b);
  }

  function bar(id, v, max, label) {
    var b = $(id), frac = max > 0 ? Math.max(0, Math.min(1, (v || 0) / max)) : 0;
    b.firstElementChild.style.width = (frac * 100).toFixed(1) + '%';
    b.lastElementChild.textContent = label + ' ' + Math.round(v || 0) + ' / ' + Math.round(max || 0);
  }

  function renderBag(S) {
    var bag = S.me.bag || { itemCount: 20, items: [] }, grid = $('bag-grid');
    grid.innerHTML = '';
    for (var key = 1; key <= (bag.itemCount || 20); key++) {
      var slot = (bag.items || []).find(function (it) { return it.key === key; });
      var cell = el('div', 'slot' + (slot ? ' full ' + slot.type : ''));
      cell.dataset.key = key;
      if (slot) {
        cell.title = itemName(S, slot.type, slot.id);
        cell.appendChild(iconFor(slot.type, slot.id));
        cell.addEventListener('click', slotMenu.bind(null, S, slot, cell));
      }
      grid.appendChild(cell);
    }
  }

  function slotMenu(S, slot, cell) {
    var menu = el('div', 'slot-menu');
    menu.appendChild(el('div', 'title', itemName(S, slot.type, slot.id)));
    var acts = slot.type === 'equipment' ? [['Equip', 'equip'], ['Drop', 'drop']] : [['Use', 'use'], ['Drop', 'drop']];
    acts.forEach(function (a) {
      var b = el('button', '', a[0]);
      b.addEventListener('click', function (e) { e.stopPropagation(); menu.remove(); cb.bag[a[1]](slot); });
      menu.appendChild(b);
    });
    Array.prototype.forEach.call(document.querySelectorAll('.slot-menu'), function (m) { m.remove(); });
    cell.appendChild(menu);
  }

  function renderEquip(S) {
    var eq = S.me.equipments || {}, list = $('equip-list');
    list.innerHTML = '';
    SLOTS.forEach(function (kind) {
      var li = el('li', eq[kind] ? 'worn' : '');
      li.dataset.slot = kind;
      li.appendChild(el('span', 'slot-name', kind));
      li.appendChild(el('span', 'piece', eq[kind] ? itemName(S, 'equipment', eq[kind]) : '—'));
      if (eq[kind]) {
        var b = el('button', 'small', 'take off');
        b.addEventListener('click', function () { cb.bag.unEquip(kind); });
        li.appendChild(b);
      }
      list.appendChild(li);
    });
  }

  function renderSkills(S) {
    var bar = $('skill-bar'), skills = S.me.fightSkills || [];
    bar.innerHTML = '';
    for (var i = 1; i <= 9; i++) {
      var sk = skills[i - 1], b = el('button', 'skill' + (sk ? '' : ' empty'));
      b.appendChild(el('span', 'key', String(i)));
      if (sk) {
        var r = row(S.data.fightskill, sk.id);
        b.title = (r && r.name ? r.name : 'Skill ' + sk.id) + ' (level ' + (sk.level || 1) + ')';
        b.appendChild(el('span', 'name', r && r.name ? r.name.split(' ')[0] : 'S' + sk.id));
        b.addEventListener('click', cb.skill.bind(null, i));
      }
      bar.appendChild(b);
    }
  }

  // Every skill of the fightskill table: learned ones with their level (and an upgrade while skill
  // points last), the ones the hero's level allows with a Learn button, the others locked.
  function renderSkillList(S) {
    var list = $('skill-list'), table = S.data.fightskill || {}, learned = {};
    (S.me.fightSkills || []).forEach(function (sk) { learned[sk.id] = sk.level || 1; });
    list.innerHTML = '';
    Object.keys(table).map(Number).sort(function (a, b) { return a - b; }).forEach(function (id) {
      var r = table[id], need = Number(r.playerLevel) || 1, li = el('li', (S.me.level || 1) < need && !learned[id] ? 'locked' : '');
      li.dataset.skill = id;
      li.appendChild(el('span', 'skill-name', r.name || 'Skill ' + id));
      if (learned[id]) {
        li.appendChild(el('span', '', 'level ' + learned[id]));
        if (S.me.skillPoint > 0) { var up = el('button', 'small', 'upgrade'); up.addEventListener('click', function () { cb.skills.upgrade(id); }); li.appendChild(up); }
      } else if ((S.me.level || 1) >= need) {
        var b = el('button', 'small learn', 'learn');
        b.addEventListener('click', function () { cb.skills.learn(id); });
        li.appendChild(b);
      } else li.appendChild(el('span', '', 'from level ' + need));
      list.appendChild(li);
    });
  }

  // A small canvas icon for a bag slot, drawn like the item on the ground.
  function iconFor(type, id) {
    var c = document.createElement('canvas');
    c.width = 36; c.height = 36;
    var g = c.getContext('2d');
    g.translate(18, 30);
    MMO.Art.drawItem(g, type, id, 0);
    return c;
  }

  function drawHeroPreviews() {
    Array.prototype.forEach.call(document.querySelectorAll('.hero-choice canvas'), function (c) {
      var g = c.getContext('2d'), kind = Number(c.dataset.kind), t0 = performance.now();
      (function loop(now) {
        if ($('create').hidden && !document.contains(c)) return;
        g.setTransform(1, 0, 0, 1, 0, 0); g.clearRect(0, 0, c.width, c.height);
        g.translate(c.width / 2, c.height - 12); g.scale(1.6, 1.6);
        MMO.Art.drawHero(g, kind, 'RightDown', 'Walk', (now - t0) / 1000);
        requestAnimationFrame(loop);
      })(t0);
    });
  }

  MMO.UI = UI;
})(window.MMO = window.MMO || {});
