// The sandbox page's only script: live updates (server-sent events) and forms without reloads.
// Everything also works without it, through plain links and form posts.
(() => {
  "use strict";
  const body = document.body;
  const list = document.getElementById("messages");
  const toast = document.getElementById("toast");
  const composer = document.getElementById("composer");
  const text = document.getElementById("composer-text");
  const replyTo = document.getElementById("reply-to");
  const replying = document.getElementById("replying");
  const replyingText = document.getElementById("replying-text");
  let toastTimer = 0;

  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  const scrollDown = () => { list.scrollTop = list.scrollHeight; };
  const fromHtml = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  };

  function notify(message) {
    window.clearTimeout(toastTimer);
    toast.textContent = message || "";
    if (message) toastTimer = window.setTimeout(() => { toast.textContent = ""; }, 8000);
  }

  // Replace an element's content; a focused control inside gets its focus back.
  function replaceKeepingFocus(element, html) {
    const active = document.activeElement;
    const inside = active && element.contains(active);
    const key = inside ? active.id || active.getAttribute("value") : null;
    element.innerHTML = html;
    if (!key) return;
    const again = document.getElementById(key) ||
      element.querySelector(`[value="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }

  function showMessage(data) {
    const existing = document.getElementById("m-" + data.id);
    const stick = nearBottom();
    const node = fromHtml(data.html);
    if (existing) {
      if (existing.outerHTML === node.outerHTML) return;
      const active = document.activeElement;
      const key = active && existing.contains(active) ? active.getAttribute("value") : null;
      existing.replaceWith(node);
      const again = key && node.querySelector(`[value="${CSS.escape(key)}"]`);
      if (again) again.focus();
      return;
    }
    if (data.day) {
      const day = fromHtml(data.day);
      if (!document.getElementById(day.id)) list.append(day);
    }
    list.append(node);
    if (stick) scrollDown();
  }

  function setReply(id, snippet) {
    replyTo.value = id || "";
    replyingText.textContent = snippet || "";
    replying.hidden = !id;
  }

  // -- live updates ---------------------------------------------------------------------
  let failures = 0;
  const events = new EventSource(body.dataset.events);
  events.addEventListener("message", (event) => { failures = 0; showMessage(JSON.parse(event.data)); });
  events.addEventListener("panel", (event) => {
    failures = 0;
    const data = JSON.parse(event.data);
    const element = document.getElementById(data.id);
    if (element && element.innerHTML !== data.html) replaceKeepingFocus(element, data.html);
  });
  events.addEventListener("reload", () => window.location.reload());
  events.onerror = () => { failures += 1; if (failures > 2) notify(body.dataset.lost); };
  // Leaving the page must free the connection at once: browsers allow only a few per server.
  window.addEventListener("pagehide", () => events.close());

  // -- forms ------------------------------------------------------------------------------
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-enhance")) return;
    event.preventDefault();
    const submitter = event.submitter;
    const fields = new URLSearchParams(new FormData(form, submitter));
    if (submitter) submitter.setAttribute("aria-busy", "true");
    form.classList.add("busy");
    try {
      // getAttribute: a control named "action" would shadow form.action.
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body: fields,
        headers: { Accept: "application/json" },
      });
      const result = await response.json();
      if (result.location) { window.location.assign(result.location); return; }
      notify(result.notice);
      if (form.hasAttribute("data-reset") && !result.notice) {
        text.value = "";
        setReply("", "");
        composer.querySelector("#photo").value = "";
        const menu = composer.querySelector("details.menu");
        if (menu) menu.open = false;
      }
    } catch (error) {
      notify(body.dataset.lost);
    } finally {
      if (submitter) submitter.removeAttribute("aria-busy");
      form.classList.remove("busy");
    }
  });

  // Enter sends, Shift+Enter starts a new line (as in Telegram).
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a") : null;
    if (!link) return;
    if (link.classList.contains("reply-link")) {
      event.preventDefault();
      setReply(link.dataset.reply, link.dataset.snippet);
      text.focus();
    } else if (link.id === "cancel-reply") {
      event.preventDefault();
      setReply("", "");
      text.focus();
    }
  });

  if (!window.location.hash) scrollDown();
})();
