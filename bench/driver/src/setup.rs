//! Before the clock starts: log each goose user in (code flow), obtain a refresh token
//! (refresh), or park a login form (storm). Done with plain reqwest, outside goose's
//! figures and outside the CPU window.

use crate::{BoxError, Ctx, Kind, authorize_url_for, html};
use rand::Rng as _;
use std::sync::Arc;

#[derive(Clone)]
pub enum Prepared {
    Session(Arc<reqwest::cookie::Jar>),
    Refresh(String),
    Interaction {
        jar: Arc<reqwest::cookie::Jar>,
        action: String,
        csrf: String,
    },
}

pub async fn prepare(ctx: &Ctx) -> Result<Vec<Prepared>, BoxError> {
    let a = &ctx.args;
    if a.scenario == Kind::Login {
        return Ok(Vec::new());
    }
    let mut set = tokio::task::JoinSet::new();
    // A few at a time: logins hash passwords, and the server has few cores.
    let gate = Arc::new(tokio::sync::Semaphore::new(4));
    for i in 0..a.users {
        let n = if a.accounts >= a.users * 10 {
            rand::rng().random_range(1..=a.accounts)
        } else {
            i % a.accounts + 1
        };
        let login = format!("{}{:0width$}", a.login_prefix, n, width = a.login_width);
        let job = Job {
            scenario: a.scenario,
            origin: ctx.origin.clone(),
            token: ctx.token.clone(),
            basic: ctx.basic.clone(),
            redirect_uri: a.redirect_uri.clone(),
            password: a.password.clone(),
            login,
            start: match a.scenario {
                Kind::Refresh => authorize_url_for(
                    ctx,
                    &format!("{} offline_access", a.scope),
                    &[("prompt", "consent")],
                ),
                _ => authorize_url_for(ctx, &a.scope, &[]),
            },
        };
        let gate = Arc::clone(&gate);
        set.spawn(async move {
            let _permit = gate.acquire().await;
            job.run().await
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.map_err(|e| e.to_string())??);
    }
    Ok(out)
}

struct Job {
    scenario: Kind,
    origin: String,
    token: String,
    basic: String,
    redirect_uri: String,
    password: String,
    login: String,
    start: String,
}

enum Hop {
    Left(String),
    Page {
        status: u16,
        url: String,
        html: String,
    },
}

impl Job {
    async fn run(self) -> Result<Prepared, BoxError> {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = crate::browser(Some(Arc::clone(&jar))).build()?;
        if self.scenario == Kind::Storm {
            let Hop::Page { html, url, .. } = self.follow(&client, self.start.clone()).await?
            else {
                return Err("storm: expected a login page".into());
            };
            let action = self.abs(&html::form_action(&html).ok_or("storm: no form")?);
            let csrf = html::hidden_inputs(&html)
                .into_iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v)
                .ok_or_else(|| format!("storm: no csrf on {url}"))?;
            return Ok(Prepared::Interaction { jar, action, csrf });
        }
        let back = self.interact(&client).await?;
        if self.scenario == Kind::Code {
            return Ok(Prepared::Session(jar));
        }
        let code = url::Url::parse(&back)?
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| format!("no code in {back}"))?;
        let resp = client
            .post(&self.token)
            .header("authorization", &self.basic)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", self.redirect_uri.as_str()),
                ("code_verifier", crate::VERIFIER),
            ])
            .send()
            .await?;
        let status = resp.status();
        let body: serde_json::Value = resp.json().await?;
        let rt = body["refresh_token"]
            .as_str()
            .ok_or_else(|| format!("no refresh token ({status}): {body}"))?;
        Ok(Prepared::Refresh(rt.to_owned()))
    }

    fn abs(&self, loc: &str) -> String {
        if loc.starts_with('/') {
            format!("{}{loc}", self.origin)
        } else {
            loc.to_owned()
        }
    }

    /// GET and follow redirects inside the provider until one leaves it or a page shows.
    async fn follow(&self, client: &reqwest::Client, mut url: String) -> Result<Hop, BoxError> {
        for _ in 0..10 {
            let resp = client.get(&url).send().await?;
            if resp.status().is_redirection() {
                let to = self.abs(&crate::location(&resp));
                if to.starts_with(&self.origin) {
                    url = to;
                    continue;
                }
                return Ok(Hop::Left(to));
            }
            return Ok(Hop::Page {
                status: resp.status().as_u16(),
                url,
                html: resp.text().await?,
            });
        }
        Err("redirect loop".into())
    }

    /// Log in on a password form, agree on a consent form, until the browser is sent
    /// back to the portal; returns that address.
    async fn interact(&self, client: &reqwest::Client) -> Result<String, BoxError> {
        let mut hop = self.follow(client, self.start.clone()).await?;
        for _ in 0..6 {
            let (status, url, html) = match hop {
                Hop::Left(to) => return Ok(to),
                Hop::Page { status, url, html } => (status, url, html),
            };
            if status != 200 {
                return Err(format!("{url}: {status}: {}", html::text(&html, 400)).into());
            }
            let action =
                self.abs(&html::form_action(&html).ok_or_else(|| format!("{url}: no form"))?);
            let mut form = html::hidden_inputs(&html);
            if html::has_password_field(&html) {
                form.push(("login".into(), self.login.clone()));
                form.push(("password".into(), self.password.clone()));
            } else {
                form.push(("decision".into(), "allow".into()));
            }
            let resp = client.post(&action).form(&form).send().await?;
            hop = if resp.status().is_redirection() {
                let to = self.abs(&crate::location(&resp));
                if to.starts_with(&self.origin) {
                    self.follow(client, to).await?
                } else {
                    Hop::Left(to)
                }
            } else {
                Hop::Page {
                    status: resp.status().as_u16(),
                    url: action,
                    html: resp.text().await?,
                }
            };
        }
        Err("the flow did not return to the portal".into())
    }
}
