/* gridgov field app: what a grid worker does offline is kept in an IndexedDB outbox
   (it survives closing the browser) and sent once when the network returns, each item
   with its own idempotency key so that a replay never doubles. A conflict (the
   household or the case changed meanwhile) is shown for the worker to resolve. */
"use strict";
(function () {
  const DB_NAME = "gridgov-field";
  const STORE = "outbox";
  const URLS = {
    report: "/api/v1/field/reports",
    checkin: "/api/v1/field/checkins",
    case_step: "/api/v1/field/case-steps",
    visit: "/api/v1/field/visits",
  };
  const bar = document.getElementById("sync-bar");
  const labels = readJson("field-labels");
  let syncing = false;

  function readJson(id) {
    const element = document.getElementById(id);
    try {
      return element ? JSON.parse(element.textContent || "{}") : {};
    } catch (error) {
      return {};
    }
  }

  function label(code) {
    return labels[code] || code;
  }

  function csrf() {
    const main = document.querySelector("main[hx-headers]");
    try {
      return JSON.parse(main.getAttribute("hx-headers"))["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => {
        db.close();
        resolve(request ? request.result : undefined);
      };
      tx.onerror = () => {
        db.close();
        reject(tx.error);
      };
    });
  }

  const all = () => withStore("readonly", (store) => store.getAll());
  const put = (item) => withStore("readwrite", (store) => store.put(item));
  const remove = (key) => withStore("readwrite", (store) => store.delete(key));

  function formBody(form, kind) {
    const data = new FormData(form);
    const number = (name) => (data.get(name) ? Number(data.get(name)) : null);
    if (kind === "report") {
      return { description: data.get("description") || "", address: data.get("address") || "" };
    }
    if (kind === "checkin") {
      return {
        incident_id: number("incident_id"),
        household_id: number("household_id"),
        status: data.get("status") || "",
        needs: data.getAll("needs"),
        note: data.get("note") || "",
        base_version: number("base_version"),
      };
    }
    if (kind === "visit") {
      return {
        household_id: number("household_id"),
        visited_on: data.get("visited_on") || "",
        kind: data.get("kind") || "home",
        heard: data.get("heard") || "",
      };
    }
    return {
      case_id: number("case_id"),
      step: data.get("step") || "",
      note: data.get("note") || "",
      base_version: number("base_version"),
    };
  }

  async function queue(form) {
    const kind = form.dataset.offline;
    const item = {
      key: newKey(),
      kind: kind,
      url: URLS[kind],
      body: formBody(form, kind),
      title: form.dataset.title || label(kind),
      created: new Date().toISOString(),
      state: "waiting",
    };
    await put(item);
    const note = form.querySelector(".queued");
    if (note) {
      note.dataset.savedText = note.dataset.savedText || note.textContent;
      note.textContent = note.dataset.savedText;
      note.hidden = false;
    }
    if (kind === "report" || kind === "visit") form.reset();
    await render();
    await sync();
    // Online, it went at once: say so, not that it waits on the phone.
    if (note && !(await all()).some((i) => i.key === item.key)) {
      note.textContent = bar.dataset.sentText || note.dataset.savedText;
    }
  }

  async function sendOne(item) {
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": item.key,
          "X-CSRF-Token": csrf(),
        },
        body: JSON.stringify(item.body),
      });
    } catch (error) {
      return "offline";
    }
    if (response.ok) {
      await remove(item.key);
      return "sent";
    }
    let answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = {};
    }
    const message = (answer.error && answer.error.message) || String(response.status);
    if (response.status === 409 && answer.server) {
      await put(Object.assign(item, { state: "conflict", server: answer.server, message: message }));
      return "conflict";
    }
    if (response.status === 401 || response.status >= 500) {
      return "offline"; // log in again, or the server is down: keep it for later
    }
    await put(Object.assign(item, { state: "failed", message: message }));
    return "failed";
  }

  async function syncNow() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      const items = (await all()).filter((i) => i.state === "waiting");
      items.sort((a, b) => (a.created < b.created ? -1 : 1));
      for (const item of items) {
        if ((await sendOne(item)) === "offline") break;
      }
    } finally {
      syncing = false;
      await render();
    }
  }

  function sync() {
    // One tab syncs at a time; the keys make a double send harmless anyway.
    if (navigator.locks) return navigator.locks.request("gridgov-sync", syncNow);
    return syncNow();
  }

  function describe(item) {
    const body = item.body || {};
    if (item.kind === "checkin") return label(body.status) + (body.note ? " · " + body.note : "");
    if (item.kind === "visit") return label(body.kind) + " · " + body.visited_on + (body.heard ? " · " + body.heard : "");
    if (item.kind === "case_step") return label(body.step) + (body.note ? " · " + body.note : "");
    return body.description || "";
  }

  function serverSide(item) {
    const server = item.server || {};
    return [label(server.status || server.state || ""), server.updated_by || server.tracking_code || ""]
      .filter(Boolean)
      .join(" · ");
  }

  function showConnection() {
    bar.querySelector("[data-online]").textContent = navigator.onLine
      ? bar.dataset.onlineText
      : bar.dataset.offlineText;
    bar.classList.toggle("offline", !navigator.onLine);
  }

  async function render() {
    if (!bar) return;
    // The connection is shown at once; the count waits for IndexedDB.
    showConnection();
    const items = await all();
    const waiting = items.filter((i) => i.state === "waiting").length;
    const count = bar.querySelector("[data-count]");
    count.textContent = bar.dataset.waitingText.replace("{n}", String(waiting));
    count.dataset.count = String(waiting);
    const list = bar.querySelector("[data-problems]");
    list.replaceChildren();
    for (const item of items.filter((i) => i.state !== "waiting")) {
      const row = document.createElement("li");
      row.className = "conflict";
      row.dataset.key = item.key;
      const head = document.createElement("strong");
      head.textContent = item.title + " — " + (item.message || "");
      const mine = document.createElement("p");
      mine.textContent = bar.dataset.mineText + ": " + describe(item);
      row.append(head, mine);
      if (item.state === "conflict") {
        const theirs = document.createElement("p");
        theirs.textContent = bar.dataset.theirsText + ": " + serverSide(item);
        const keep = document.createElement("button");
        keep.type = "button";
        keep.textContent = bar.dataset.keepText;
        keep.addEventListener("click", async () => {
          item.body.base_version = item.server.version;
          await put(Object.assign(item, { state: "waiting", server: null, message: "" }));
          await render();
          sync();
        });
        row.append(theirs, keep);
      }
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "danger";
      drop.textContent = bar.dataset.dropText;
      drop.addEventListener("click", async () => {
        await remove(item.key);
        await render();
      });
      row.append(drop);
      list.append(row);
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.offline || !window.indexedDB) return;
    event.preventDefault();
    queue(form);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.action.endsWith("/logout") && navigator.serviceWorker) {
      const worker = navigator.serviceWorker.controller;
      if (worker) worker.postMessage("forget");
    }
  });

  window.addEventListener("online", () => {
    render();
    sync();
  });
  window.addEventListener("offline", render);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => null);
    // Today's work offline: the worker's grid, check-in lists and cases are fetched
    // once through the service worker, which keeps a copy.
    navigator.serviceWorker.ready.then((registration) => {
      if (!navigator.onLine || !registration.active) return;
      const urls = Array.from(document.querySelectorAll("a[data-prefetch]"), (a) => a.href);
      registration.active.postMessage({ prefetch: urls });
    });
  }
  render().then(sync);
  setInterval(sync, 30000);
})();
