// A minimal browser for black-box checks: a cookie jar, manual redirects, and form
// submission like a browser without JavaScript. Trusts the test CA through
// NODE_EXTRA_CA_CERTS (set by conformance/run).

export class Jar {
  constructor() { this.cookies = new Map(); }
  store(url, response) {
    const host = new URL(url).host;
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      const key = `${host}|${name}`;
      if (expired) this.cookies.delete(key); else this.cookies.set(key, { host, name, value });
    }
  }
  header(url) {
    const host = new URL(url).host;
    return [...this.cookies.values()].filter((c) => c.host === host).map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

export class Browser {
  constructor() { this.jar = new Jar(); }

  async request(url, { method = 'GET', form, headers = {} } = {}) {
    const h = { ...headers };
    const cookie = this.jar.header(url);
    if (cookie) h.cookie = cookie;
    let body;
    if (form) {
      body = new URLSearchParams(form).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
    this.jar.store(url, res);
    const text = await res.text();
    const location = res.headers.get('location');
    return { status: res.status, headers: res.headers, text, location: location ? new URL(location, url).toString() : null, url };
  }

  // Follow redirects while they stay on `origin`; stop at a page or when leaving.
  async follow(url, origin, init) {
    let res = await this.request(url, init);
    for (let i = 0; i < 15 && res.location && new URL(res.location).origin === origin; i++) {
      res = await this.request(res.location);
    }
    return res;
  }
}

// Parse the first <form> of a page: action, method, inputs (hidden ones with values)
// and submit buttons.
export function parseForm(html, pageUrl) {
  const form = html.match(/<form\b[^>]*>([\s\S]*?)<\/form>/i);
  if (!form) return null;
  const attr = (tag, name) => {
    const m = tag.match(new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i'));
    return m ? decode(m[2] ?? m[3]) : undefined;
  };
  const openTag = form[0].slice(0, form[0].indexOf('>') + 1);
  const inputs = [];
  for (const m of form[1].matchAll(/<input\b[^>]*>/gi)) {
    inputs.push({ type: (attr(m[0], 'type') || 'text').toLowerCase(), name: attr(m[0], 'name'), value: attr(m[0], 'value') ?? '' });
  }
  // Buttons inside the form, and buttons elsewhere that name it with form="id".
  const id = attr(openTag, 'id');
  const buttons = [];
  for (const m of html.matchAll(/<button\b[^>]*>/gi)) {
    const inside = form[1].includes(m[0]);
    if (inside || (id && attr(m[0], 'form') === id)) buttons.push({ name: attr(m[0], 'name'), value: attr(m[0], 'value') ?? '' });
  }
  return {
    action: new URL(attr(openTag, 'action') || pageUrl, pageUrl).toString(),
    method: (attr(openTag, 'method') || 'GET').toUpperCase(),
    inputs,
    buttons,
  };
}

function decode(s) {
  return s.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// Fill and submit a form: hidden inputs keep their values, `fields` fill the rest;
// `button` picks a submit button by value (its name/value pair is sent).
export async function submitForm(browser, page, fields = {}, button) {
  const form = parseForm(page.text, page.url);
  if (!form) throw new Error(`no form on ${page.url} (status ${page.status})`);
  const data = {};
  for (const i of form.inputs) if (i.name && (i.type === 'hidden')) data[i.name] = i.value;
  Object.assign(data, fields);
  const b = button ? form.buttons.find((x) => x.value === button) : form.buttons.find((x) => x.name);
  if (b && b.name) data[b.name] = b.value;
  return browser.request(form.action, { method: form.method, form: data });
}
