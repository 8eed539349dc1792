// QR check-in page (docs/qr-checkin.md). Plain ES5 and XMLHttpRequest so old
// phones run it. The QR code holds checkin.html#s=<shift id>&k=<key>; the
// fragment never reaches server logs, the key goes in the POST body.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var params = {};
  (location.hash || '').replace(/^#/, '').split('&').forEach(function (part) {
    var eq = part.indexOf('=');
    if (eq > 0) {
      try { params[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1)); } catch (e) { /* ignore */ }
    }
  });
  var shift = params.s || '', key = params.k || '';

  // zh-CN first, then the English words (the server's message for codes we do not know).
  var ZH = {
    bad_key: '这个二维码已失效，请重新扫描站点屏幕上的二维码。',
    outside_window: '现在不在这个班次的扫码签到时间内（开始前30分钟到结束；签退到结束后2小时）。',
    not_found: '找不到这个班次，可能已取消。请联系站点协调员。',
    not_on_roster: '名单上没有这个人。请联系站点协调员。',
    already_checked_in: '已经签到过了。',
    already_checked_out: '已经签退过了。',
    not_checked_in: '还没有签到，请先签到。',
    attendance_set: '协调员已把您这个班次记为请假或缺席，请联系协调员。',
    too_soon: '刚刚签到，离开时再签退。',
    bad_query: '请输入完整姓名和手机号后4位。',
    too_many_attempts: '没有对上的尝试太多了，请过几分钟再试，或联系站点协调员。',
    bad_json: '请求有误，请重新扫描二维码。',
    network: '网络不通，请检查手机网络后再试。',
    internal: '服务器出错了，请稍后再试或联系协调员。'
  };
  var EN_NETWORK = 'No network: check the phone\'s connection and try again.';

  function show(kind, zh, en) {
    var m = $('message');
    m.className = kind;
    m.innerHTML = '';
    m.appendChild(document.createTextNode(zh || ''));
    if (en) {
      var span = document.createElement('div');
      span.className = 'en';
      span.appendChild(document.createTextNode(en));
      m.appendChild(span);
    }
  }
  function clearMessage() { $('message').className = ''; $('message').innerHTML = ''; }

  function post(path, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', path, true);
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.timeout = 15000;
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      done(xhr.status, data);
    };
    xhr.onerror = xhr.ontimeout = function () { done(0, null); };
    xhr.send(JSON.stringify(body));
  }

  function showError(status, data) {
    if (status === 0) return show('error', ZH.network, EN_NETWORK);
    var e = (data && data.error) || {};
    show('error', ZH[e.code] || ZH.internal, e.message || ('HTTP ' + status));
  }

  function hhmm(datetime) { return (datetime || '').slice(11, 16); }

  function showShift(s) {
    var box = $('shift');
    box.innerHTML = '';
    var line1 = document.createElement('div');
    line1.appendChild(document.createTextNode((s.station || '') + '  ' + (s.role || '')));
    var line2 = document.createElement('div');
    line2.appendChild(document.createTextNode((s.start || '').slice(0, 10) + '  ' + hhmm(s.start) + '–' + hhmm(s.end)));
    box.appendChild(line1);
    box.appendChild(line2);
    box.hidden = false;
  }

  var ACTION = {
    check_in: ['签到', 'Check in'],
    check_out: ['签退', 'Check out']
  };
  var STATE = {
    not_checked_in: ['未签到', 'not checked in'],
    checked_in: ['已签到', 'checked in'],
    attended: ['已签退', 'checked out'],
    excused: ['请假', 'excused'],
    no_show: ['缺席', 'no-show']
  };

  function personButton(p) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'person';
    var n = document.createElement('b');
    n.appendChild(document.createTextNode(p.name));
    b.appendChild(n);
    var a = ACTION[p.action];
    var st = STATE[p.state] || [p.state, p.state];
    var times = (p.check_in ? ' ' + p.check_in : '') + (p.check_out ? '–' + p.check_out : '');
    b.appendChild(document.createTextNode(a ? a[0] + ' ' + a[1] : st[0] + times + ' (' + st[1] + ')'));
    if (!a) {
      b.disabled = true;
      return b;
    }
    b.onclick = function () {
      b.disabled = true;
      post('/api/v1/checkin', { shift: shift, key: key, signup: p.signup, action: p.action }, function (status, data) {
        if (status === 200 && data) {
          $('find').hidden = true;
          $('people').innerHTML = '';
          clearMessage();
          $('done-title').textContent = (data.status === 'checked_in' ? '签到成功 ✓' : '签退成功 ✓');
          $('done-detail').textContent = data.name + '  ' + data.time + '  ' +
            (data.status === 'checked_in' ? 'Checked in' : 'Checked out');
          $('done').style.display = 'block';
        } else {
          b.disabled = false;
          showError(status, data);
        }
      });
    };
    return b;
  }

  function find(event) {
    if (event) event.preventDefault();
    // The server matches the whole name and the last 4 digits exactly (docs/qr-checkin.md).
    var name = $('name').value.replace(/^\s+|\s+$/g, '');
    var digits = $('phone').value.replace(/[^0-9]/g, '');
    if (!name || digits.length < 4) {
      return show('error', ZH.bad_query, 'Type your full name and the last 4 digits of your phone number.');
    }
    $('find-button').disabled = true;
    post('/api/v1/checkin/lookup', { shift: shift, key: key, name: name, phone: digits }, function (status, data) {
      $('find-button').disabled = false;
      var list = $('people');
      list.innerHTML = '';
      if (status !== 200 || !data) return showError(status, data);
      showShift(data.shift || {});
      if (!data.people || data.people.length === 0) {
        return show('error', '这个班次的名单上没有找到“' + name + '”（手机号后4位 ' + digits + '）。请检查后再试，或联系站点协调员。',
                    'Nobody on this shift\'s list has that name and those digits. Check them or ask the coordinator.');
      }
      show('info', '请点您自己的名字。', 'Tap your own name.');
      for (var i = 0; i < data.people.length; i++) list.appendChild(personButton(data.people[i]));
    });
  }

  $('find').onsubmit = find;
  $('again').onclick = function () {
    $('done').style.display = 'none';
    $('find').hidden = false;
    $('name').value = '';
    $('phone').value = '';
    $('name').focus();
  };
  if (!shift || !key) {
    show('error', '请用手机扫描站点屏幕上的签到二维码。', 'Scan the check-in QR code on the station\'s screen.');
    return;
  }
  $('find').hidden = false;
})();
