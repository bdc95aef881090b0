// gomagnum dashboard: keeps the parts of a page marked data-live up to date
// by fetching their server-rendered HTML again, without reloading the page.
(function () {
  'use strict';

  function schedule(el, every) {
    window.setTimeout(function () { refresh(el, every); }, every);
  }

  function gone(el) {
    var p = document.createElement('p');
    p.className = 'alert';
    p.setAttribute('role', 'status');
    p.textContent = el.getAttribute('data-gone') || 'This item no longer exists.';
    el.textContent = '';
    el.appendChild(p);
  }

  function refresh(el, every) {
    if (document.hidden) {
      schedule(el, every);
      return;
    }
    fetch(el.getAttribute('data-live'), {
      credentials: 'same-origin', cache: 'no-store', headers: { 'X-Live': '1', 'Accept': 'text/html' }
    }).then(function (r) {
      if (r.status === 404 && el.hasAttribute('data-gone')) {
        gone(el);
        return;
      }
      if (!r.ok) {
        throw new Error('HTTP ' + r.status);
      }
      var next = parseInt(r.headers.get('X-Poll-Ms'), 10);
      return r.text().then(function (html) {
        el.innerHTML = html;
        el.setAttribute('data-updated', String(Date.now()));
        schedule(el, next > 0 ? next : every);
      });
    }).catch(function () {
      schedule(el, Math.min(every * 2, 30000));
    });
  }

  document.querySelectorAll('[data-live]').forEach(function (el) {
    var every = parseInt(el.getAttribute('data-every'), 10);
    schedule(el, every > 0 ? every : 5000);
  });
})();
