//! Just enough HTML reading to submit a provider's hosted forms as a browser would.

/// The `action` of the first form on the page, with entities decoded.
pub fn form_action(html: &str) -> Option<String> {
    let at = html.find("<form")?;
    let tag_end = at + html[at..].find('>')?;
    attr(&html[at..tag_end], "action")
}

/// Every `<input type="hidden" name=… value=…>` of the page.
pub fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<input") {
        let Some(len) = rest[at..].find('>') else {
            break;
        };
        let tag = &rest[at..at + len];
        if attr(tag, "type").as_deref() == Some("hidden")
            && let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value"))
        {
            out.push((n, v));
        }
        rest = &rest[at + len..];
    }
    out
}

/// The visible text of a page, shortened: for error messages.
pub fn text(html: &str, max: usize) -> String {
    let mut out = String::new();
    let mut rest = html;
    if let (Some(a), Some(b)) = (rest.find("<style"), rest.find("</style>")) {
        if a < b {
            out.push_str(&strip(&rest[..a]));
            rest = &rest[b + 8..];
        }
    }
    out.push_str(&strip(rest));
    let words: Vec<&str> = out.split_whitespace().collect();
    words.join(" ").chars().take(max).collect()
}

fn strip(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

pub fn has_password_field(html: &str) -> bool {
    html.contains("type=\"password\"") || html.contains("type='password'")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let key = format!(" {name}={quote}");
        if let Some(i) = tag.find(&key) {
            let start = i + key.len();
            let end = tag[start..].find(quote)?;
            return Some(unescape(&tag[start..start + end]));
        }
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forms() {
        let page = r#"<form method="post" action="/interaction/a&#x2f;b/login" novalidate>
<input type="hidden" name="csrf" value="x&amp;y"><input type="text" name="login" value="">
<input type="password" name="password"></form>"#;
        assert_eq!(form_action(page).unwrap(), "/interaction/a/b/login");
        assert_eq!(hidden_inputs(page), vec![("csrf".into(), "x&y".into())]);
        assert!(has_password_field(page));
    }
}
