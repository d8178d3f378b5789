// Passkey ceremonies (WebAuthn): the page's form posts to the server for a challenge,
// the browser asks the authenticator (navigator.credentials.create / get), and the
// result goes back to the server, which checks everything. Binary fields travel as
// base64url, as webauthn-rs reads and writes them.
(function () {
  "use strict";
  var form = document.getElementById("passkey-form");
  var box = document.getElementById("passkey-error");
  if (!form) return;

  function show(message) {
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  function fromB64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function extensions(cred) {
    try {
      return cred.getClientExtensionResults ? cred.getClientExtensionResults() : {};
    } catch (e) {
      return {};
    }
  }

  function registration(cred) {
    var r = cred.response;
    return {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      response: {
        attestationObject: toB64url(r.attestationObject),
        clientDataJSON: toB64url(r.clientDataJSON),
        transports: r.getTransports ? r.getTransports() : undefined
      },
      extensions: extensions(cred)
    };
  }

  function assertion(cred) {
    var r = cred.response;
    return {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      response: {
        authenticatorData: toB64url(r.authenticatorData),
        clientDataJSON: toB64url(r.clientDataJSON),
        signature: toB64url(r.signature),
        userHandle: r.userHandle ? toB64url(r.userHandle) : null
      },
      extensions: extensions(cred)
    };
  }

  // A form post (the CSRF token travels in it); the answer is JSON either way.
  function post(url, params) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: params.toString()
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) {
          var err = new Error(body.message || String(resp.status));
          err.server = true;
          throw err;
        }
        return body;
      });
    });
  }

  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    show(form.getAttribute("data-unsupported"));
    return;
  }

  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    if (box) box.hidden = true;
    var params = new URLSearchParams(new FormData(form));
    var register = form.getAttribute("data-ceremony") === "register";
    post(form.getAttribute("action"), params)
      .then(function (start) {
        var pk = start.options.publicKey;
        pk.challenge = fromB64url(pk.challenge);
        if (register) {
          pk.user.id = fromB64url(pk.user.id);
          (pk.excludeCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
          return navigator.credentials.create({ publicKey: pk }).then(function (cred) {
            return [start.ceremony, registration(cred)];
          });
        }
        (pk.allowCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
        return navigator.credentials.get({ publicKey: pk }).then(function (cred) {
          return [start.ceremony, assertion(cred)];
        });
      })
      .then(function (done) {
        params.set("ceremony", done[0]);
        params.set("credential", JSON.stringify(done[1]));
        return post(form.getAttribute("data-finish"), params);
      })
      .then(function (result) {
        window.location.assign(result.redirect);
      })
      .catch(function (err) {
        busy = false;
        show(err && err.server ? err.message : form.getAttribute("data-cancelled"));
      });
  });
})();
