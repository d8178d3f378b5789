// Live hints for the password page: ticks each rule of the ESIA policy as the citizen
// types, and offers the server's suggested password. The server checks every rule
// again; this script only helps.
(function () {
  "use strict";
  var input = document.getElementById("password");
  var repeat = document.getElementById("password2");
  var rules = document.getElementById("rules");
  if (!input || !rules) return;
  function sequential(p) {
    for (var i = 0; i + 2 < p.length; i++) {
      var a = p.charCodeAt(i), b = p.charCodeAt(i + 1), c = p.charCodeAt(i + 2);
      var digits = a >= 48 && a <= 57 && b >= 48 && b <= 57 && c >= 48 && c <= 57;
      if (digits && ((b - a === 1 && c - b === 1) || (a - b === 1 && b - c === 1))) return true;
    }
    return false;
  }
  var checks = {
    length: function (p) { return p.length >= 8; },
    upper: function (p) { return /[A-Z]/.test(p); },
    lower: function (p) { return /[a-z]/.test(p); },
    digit: function (p) { return /[0-9]/.test(p); },
    special: function (p) { return /[^A-Za-z0-9\s]/.test(p); },
    sequence: function (p) { return p.length > 0 && !sequential(p); }
  };
  function update() {
    var p = input.value;
    var items = rules.querySelectorAll("li[data-rule]");
    for (var i = 0; i < items.length; i++) {
      var check = checks[items[i].getAttribute("data-rule")];
      if (check) items[i].classList.toggle("ok", check(p));
    }
  }
  input.addEventListener("input", update);
  var use = document.getElementById("use-suggested");
  var suggested = document.getElementById("suggested");
  if (use && suggested) {
    use.hidden = false;
    use.addEventListener("click", function () {
      input.value = suggested.textContent;
      if (repeat) repeat.value = suggested.textContent;
      input.type = "text";
      update();
    });
  }
  update();
})();
