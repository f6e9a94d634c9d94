//! The kiosk window as a test drives it: taps, typing, screenshots and timed transitions.

use anyhow::{Context, Result, bail};
use fantoccini::{Client, Locator};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The window under test, with the helpers a journey needs.
pub struct Window {
    pub client: Client,
    shots: Option<PathBuf>,
    step: u32,
    /// Taps made in the page and timed there (bench) instead of WebDriver clicks (tests).
    timed: bool,
}

/// One screen change, timed inside the page from the tap to the new screen being in the DOM, and
/// to the next animation frame after that (when it can be painted).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Transition {
    #[serde(default)]
    pub name: String,
    pub dom_ms: f64,
    pub frame_ms: f64,
}

/// Taps `arguments[0]`, then resolves once `arguments[1]` matches, with the times. A
/// MutationObserver sees the change as soon as it happens, with no WebDriver round trip in the
/// measurement.
const TIMED_TAP: &str = r#"
const [tapSelector, untilSelector, done] = arguments;
const target = document.querySelector(tapSelector);
if (!target) { done({ error: 'nothing matches ' + tapSelector }); return; }
let finished = false;
const t0 = performance.now();
const check = () => {
  if (finished || !document.querySelector(untilSelector)) return;
  finished = true;
  observer.disconnect();
  const dom = performance.now() - t0;
  requestAnimationFrame(() => done({ dom_ms: dom, frame_ms: performance.now() - t0 }));
};
const observer = new MutationObserver(check);
observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
target.click();
check();
setTimeout(() => { if (!finished) { observer.disconnect(); done({ error: 'timed out waiting for ' + untilSelector }); } }, 10000);
"#;

/// Types `arguments[1]` into the field `arguments[0]` with the on-screen keyboard's keys, as a
/// visitor does (Shift where the key shown has the other case); answers an error or null.
const KEYBOARD_TYPE: &str = r#"
const [fieldSelector, text] = arguments;
const field = document.querySelector(fieldSelector);
if (!field) return 'nothing matches ' + fieldSelector;
field.focus();
field.value = '';
field.dispatchEvent(new Event('input', { bubbles: true }));
const panel = document.getElementById('keyboard');
if (!panel || panel.hidden) return 'the keyboard did not open for ' + fieldSelector;
const key = (k) => panel.querySelector('button[data-key="' + CSS.escape(k) + '"]');
// A key not showing may be behind Shift, the accents, or both; a way that does not show it is
// undone before the next is tried.
const find = (c) => {
  for (const [go, back] of [[[], []], [['Shift'], ['Shift']], [['Accents'], ['Letters']],
                            [['Accents', 'Shift'], ['Shift', 'Letters']]]) {
    if (!go.every((k) => key(k))) continue;
    go.forEach((k) => key(k).click());
    if (key(c)) return key(c);
    back.forEach((k) => key(k) && key(k).click());
  }
  return null;
};
// A letter the keyboard lacks (ç, ł, ș) is typed as a visitor would: without its mark. The
// engine matches names without their accents.
const PLAIN = { 'ł': 'l', 'Ł': 'L', 'ø': 'o', 'Ø': 'O', 'đ': 'd', 'Đ': 'D' };
let typed = '';
for (const c of text) {
  let button = find(c);
  let k = c;
  if (!button) {
    k = PLAIN[c] || c.normalize('NFD').replace(/\p{M}/gu, '');
    button = find(k);
  }
  if (!button) return 'no key for ' + JSON.stringify(c) + ' typing into ' + fieldSelector;
  button.click();
  typed += k;
}
return field.value === typed ? null : 'typed ' + JSON.stringify(field.value) + ', not ' + JSON.stringify(typed);
"#;

/// The text of the first element matching `arguments[0]`, or null.
const TEXT_OF: &str = "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;";

/// Clicks the first element matching `arguments[0]`: true, or null when there is none.
const CLICK: &str =
    "const e = document.querySelector(arguments[0]); if (e) e.click(); return e ? true : null;";

/// True when an element matching `arguments[0]` contains the text `arguments[1]`, else null.
const HAS_TEXT: &str = "return [...document.querySelectorAll(arguments[0])].some((e) => e.textContent.includes(arguments[1])) || null;";

impl Window {
    /// A window for a test: WebDriver taps, screenshots into `shots`.
    pub fn new(client: Client, shots: PathBuf) -> Self {
        Self {
            client,
            shots: Some(shots),
            step: 0,
            timed: false,
        }
    }

    /// A window for the bench: taps timed inside the page, no screenshots.
    pub fn timed(client: Client) -> Self {
        Self {
            client,
            shots: None,
            step: 0,
            timed: true,
        }
    }

    /// Waits (up to 10 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .every(Duration::from_millis(10))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element {css:?} on the screen"))
    }

    /// Runs `script` in the page every 10 ms until it answers something other than null, for
    /// up to 10 s; `None` if it never does. On the bench the page is asked by scripts: every
    /// element WebDriver hands out stays referenced in the page for the whole session, so a soak
    /// of many journeys would measure WebDriver's memory.
    async fn poll(&self, script: &str, args: Vec<serde_json::Value>) -> Result<Option<serde_json::Value>> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let answer = self.client.execute(script, args.clone()).await?;
            if !answer.is_null() {
                return Ok(Some(answer));
            }
            if Instant::now() > deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits (up to 10 s) for an element matching `css`, and answers its text: through
    /// WebDriver in tests, by a script on the bench (see [`Window::poll`]).
    pub async fn text_of(&self, css: &str) -> Result<String> {
        if !self.timed {
            return Ok(self.find(css).await?.text().await?);
        }
        match self.poll(TEXT_OF, vec![json!(css)]).await? {
            Some(text) => Ok(text.as_str().unwrap_or_default().to_string()),
            None => bail!("no element {css:?} on the screen"),
        }
    }

    /// Taps the element matching `css` (waiting up to 10 s for it): a WebDriver click with
    /// hit-testing in tests, a click in the page on the bench (see [`Window::poll`]).
    pub async fn click(&self, css: &str) -> Result<()> {
        if !self.timed {
            return self
                .find(css)
                .await?
                .click()
                .await
                .with_context(|| format!("cannot tap {css:?}"));
        }
        match self.poll(CLICK, vec![json!(css)]).await? {
            Some(_) => Ok(()),
            None => bail!("no element {css:?} to tap"),
        }
    }

    /// Waits (up to 10 s) for an element of `css` whose text contains `text`.
    pub async fn wait_text(&self, css: &str, text: &str) -> Result<()> {
        if !self.timed {
            return self.find_text(css, text).await.map(drop);
        }
        match self.poll(HAS_TEXT, vec![json!(css), json!(text)]).await? {
            Some(_) => Ok(()),
            None => bail!("no {css:?} showing {text:?} on the screen"),
        }
    }

    /// Waits for an element of `css` whose text contains `text`.
    pub async fn find_text(&self, css: &str, text: &str) -> Result<fantoccini::elements::Element> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            for element in self.client.find_all(Locator::Css(css)).await? {
                if element.text().await.unwrap_or_default().contains(text) {
                    return Ok(element);
                }
            }
            if Instant::now() > deadline {
                bail!("no {css:?} showing {text:?} on the screen");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Taps `css` and waits for `until` to appear. Timed in the page on the bench; a real
    /// WebDriver click (with hit-testing, so an overlay would be caught) in tests.
    pub async fn tap(&mut self, name: &str, css: &str, until: &str) -> Result<Option<Transition>> {
        if !self.timed {
            self.find(css)
                .await?
                .click()
                .await
                .with_context(|| format!("cannot tap {css:?}"))?;
            self.find(until)
                .await
                .with_context(|| format!("after tapping {css:?}"))?;
            return Ok(None);
        }
        let answer = self
            .client
            .execute_async(TIMED_TAP, vec![json!(css), json!(until)])
            .await
            .with_context(|| format!("cannot tap {css:?}"))?;
        if let Some(error) = answer.get("error") {
            bail!("{name}: {error}");
        }
        let mut transition: Transition = serde_json::from_value(answer)?;
        transition.name = name.to_string();
        Ok(Some(transition))
    }

    /// Taps the on-screen keyboard's Done key, if the keyboard is open.
    pub async fn close_keyboard(&self) -> Result<()> {
        if self.timed {
            self.client
                .execute(
                    "const done = document.querySelector('#keyboard:not([hidden]) .kiosk-key--done'); if (done) done.click();",
                    vec![],
                )
                .await?;
            let closed = self
                .client
                .execute("return !!document.querySelector('#keyboard[hidden]')", vec![])
                .await?;
            anyhow::ensure!(closed == json!(true), "the keyboard stayed open after Done");
            return Ok(());
        }
        let open = self
            .client
            .find_all(Locator::Css("#keyboard:not([hidden]) .kiosk-key--done"))
            .await?;
        if let Some(done) = open.into_iter().next() {
            done.click().await.context("cannot tap the keyboard's Done key")?;
            self.client
                .wait()
                .at_most(Duration::from_secs(5))
                .for_element(Locator::Css("#keyboard[hidden]"))
                .await
                .context("the keyboard stayed open after Done")?;
        }
        Ok(())
    }

    /// Types into a field (replacing what is there): WebDriver's keystrokes in tests, the
    /// on-screen keyboard's keys on the bench (see [`Window::text_of`]).
    pub async fn fill(&self, css: &str, value: &str) -> Result<()> {
        if self.timed {
            // The screen with the field is showing: the tap before waited for it.
            let error = self
                .client
                .execute(KEYBOARD_TYPE, vec![json!(css), json!(value)])
                .await?;
            if let Some(error) = error.as_str() {
                bail!("{error}");
            }
            return Ok(());
        }
        let field = self.find(css).await?;
        field.clear().await?;
        field
            .send_keys(value)
            .await
            .with_context(|| format!("cannot type into {css:?}"))
    }

    /// Saves a numbered screenshot of the page as `NN-name.png` (tests only). Waits half a
    /// second first: a screenshot taken right after a DOM change can show the previous frame.
    pub async fn screenshot(&mut self, name: &str) -> Result<Option<PathBuf>> {
        let Some(dir) = &self.shots else { return Ok(None) };
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.step += 1;
        let path = dir.join(format!("{:02}-{name}.png", self.step));
        let png = self
            .client
            .screenshot()
            .await
            .context("cannot take a screenshot")?;
        std::fs::write(&path, png).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Some(path))
    }

    pub async fn url(&self) -> Result<String> {
        Ok(self.client.current_url().await?.to_string())
    }

    pub async fn close(self) -> Result<()> {
        self.client
            .close()
            .await
            .context("cannot end the WebDriver session")
    }
}
