// pixbot's campaign dashboard, a Telegram Mini App: no framework, no build step. Every request
// carries Telegram's initData (the server checks its signature); every text comes translated
// from the server; every name is set as text, never as HTML.
"use strict";

(function () {
  const tg = window.Telegram && window.Telegram.WebApp;
  const initData = (tg && tg.initData) || "";
  const main = document.getElementById("app");
  const sheet = document.getElementById("profile");
  const STATUS_MARK = { joined: "👋", in_progress: "⏳", finished: "🏁", shared: "✅" };
  const STATUSES = ["joined", "in_progress", "finished", "shared"];
  let T = {};
  let language = "en";
  let report = null;
  let sortKey = "name";
  let back = null; // what Telegram's back button does now

  // --- small helpers --------------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else if (key === "onchange") node.addEventListener("change", value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function t(key, values) {
    let text = T[key] || "";
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }

  function number(value, digits) {
    return new Intl.NumberFormat(language, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  }

  function openLink(url) {
    if (tg && typeof tg.openLink === "function") tg.openLink(url);
    else window.open(url, "_blank", "noopener");
  }

  class Refused extends Error {
    constructor(status, error) {
      super(error || String(status));
      this.status = status;
      this.error = error;
    }
  }

  async function api(path, options) {
    const response = await fetch(path, {
      method: (options && options.method) || "GET",
      headers: Object.assign(
        { Authorization: "tma " + initData },
        options && options.body ? { "Content-Type": "application/json" } : {}
      ),
      body: options && options.body ? JSON.stringify(options.body) : undefined,
      credentials: "omit",
      cache: "no-store",
    });
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok && !(options && options.accept && options.accept.includes(response.status))) {
      throw new Refused(response.status, data && data.error);
    }
    return { status: response.status, data: data };
  }

  async function loadTexts(wanted) {
    if (wanted === language && Object.keys(T).length) return;
    const response = await fetch("texts/" + encodeURIComponent(wanted) + ".json");
    T = await response.json();
    language = wanted;
    document.documentElement.lang = wanted;
    document.title = T.title || document.title;
  }

  // --- Telegram's theme -------------------------------------------------------------------

  function applyTheme() {
    const root = document.documentElement;
    const params = (tg && tg.themeParams) || {};
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === "string" && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
        root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    }
    if (tg && tg.colorScheme) root.dataset.scheme = tg.colorScheme;
  }

  function setBack(action) {
    back = action;
    if (!tg || !tg.BackButton) return;
    if (action) tg.BackButton.show();
    else tg.BackButton.hide();
  }

  // --- screens ------------------------------------------------------------------------------

  function show(...nodes) {
    main.replaceChildren(...nodes);
    window.scrollTo(0, 0);
  }

  function showError(error) {
    let key = "failed";
    if (error instanceof Refused) {
      if (error.status === 401) key = "unauthenticated";
      else if (error.status === 403) key = error.where === "list" ? "not_educator" : "forbidden";
    }
    show(el("h1", {}, T.title), el("p", { className: "error", role: "alert" }, t(key)));
  }

  async function showCampaigns() {
    setBack(null);
    show(el("p", { className: "note" }, t("loading")));
    let answer;
    try {
      answer = await api("api/campaigns");
    } catch (error) {
      if (error instanceof Refused) error.where = "list";
      return showError(error);
    }
    const data = answer.data;
    await loadTexts(data.language);
    const items = data.campaigns.map((campaign) =>
      el(
        "li",
        {},
        el(
          "button",
          {
            className: "campaign",
            dataset: { code: campaign.code },
            onclick: () => showCampaign(campaign.code, true),
          },
          el("strong", {}, campaign.name),
          el(
            "small",
            {},
            campaign.code,
            " · ",
            t("participants_count", { count: campaign.participants }),
            " · ",
            campaign.closed ? t("closed") : t("open")
          )
        )
      )
    );
    show(
      el("h1", {}, t("campaigns")),
      items.length ? el("ul", { className: "list" }, items) : el("p", {}, t("no_campaign"))
    );
  }

  async function showCampaign(code, fromList) {
    setBack(fromList ? showCampaigns : null);
    show(el("p", { className: "note" }, t("loading")));
    try {
      report = (await api("api/campaigns/" + encodeURIComponent(code))).data;
    } catch (error) {
      return showError(error);
    }
    await loadTexts(report.language);
    renderCampaign(fromList);
  }

  function renderCampaign(fromList) {
    const campaign = report.campaign;
    show(
      fromList ? el("button", { className: "plain", onclick: showCampaigns }, t("back")) : null,
      el("h1", {}, campaign.name),
      el(
        "p",
        { className: "note" },
        campaign.code,
        " · ",
        campaign.closed ? t("closed") : t("open"),
        " · ",
        t("times_in", { zone: report.timezone })
      ),
      participantsSection(),
      distributionSection(),
      heatmapSection(),
      toWorkSection(),
      csvSection()
    );
  }

  function statusLabel(status) {
    return STATUS_MARK[status] + " " + t(status);
  }

  function participantsSection() {
    const counts = report.counts;
    const chips = STATUSES.map((status) =>
      el(
        "span",
        { className: "chip", dataset: { status: status } },
        t("status_count", { status: statusLabel(status), count: counts[status] })
      )
    );
    // Only a learner who shared has a profile to open: the others are a name and a status.
    const people = report.learners.map((learner) =>
      el(
        "li",
        {},
        el(
          learner.status === "shared" ? "button" : "div",
          {
            className: "person",
            dataset: { number: learner.number, status: learner.status },
            onclick: learner.status === "shared" ? () => showProfile(learner) : null,
          },
          el(
            "span",
            { className: "who" },
            learnerName(learner),
            learner.identifier ? el("small", {}, learner.identifier) : null
          ),
          el("span", { className: "status" }, statusLabel(learner.status))
        )
      )
    );
    return el(
      "section",
      { id: "participants" },
      el("h2", {}, t("participants_count", { count: report.learners.length })),
      el("div", { className: "chips" }, chips),
      people.length ? el("ul", { className: "list" }, people) : el("p", { className: "note" }, t("no_participant"))
    );
  }

  function learnerName(learner) {
    return (learner.name || "") + " #" + learner.number;
  }

  function competence(code) {
    return report.campaign.competences.find((item) => item.code === code) || { code: code, name: code, short: code };
  }

  function distributionSection() {
    const charts = report.spreads.map((spread) => {
      const info = competence(spread.code);
      const highest = Math.max(1, ...spread.counts);
      const total = spread.counts.reduce((a, b) => a + b, 0);
      const bars = spread.counts.map((count, level) =>
        el(
          "div",
          {
            className: "bar",
            title: t("learners_at", { level: level, count: count }),
            "aria-label": t("learners_at", { level: level, count: count }),
            dataset: { level: level, count: count },
          },
          el("span", { className: "count" }, count ? String(count) : ""),
          (function () {
            const fill = el("div", { className: "fill" });
            fill.style.height = Math.round((100 * count) / highest) + "%";
            if (!count) fill.style.opacity = "0.25";
            return fill;
          })()
        )
      );
      const axis = spread.counts.map((_, level) => el("span", {}, String(level)));
      return el(
        "div",
        { className: "chart", dataset: { competence: spread.code } },
        el("h3", {}, info.code + " " + info.name),
        el(
          "p",
          { className: "note" },
          spread.mean === null ? t("no_result") : t("mean", { mean: number(spread.mean, 1) }),
          total ? " · " + t("participants_count", { count: total }) : ""
        ),
        el("div", { className: "bars", role: "img", "aria-label": info.code }, bars),
        el("div", { className: "axis", "aria-hidden": "true" }, axis),
        el("div", { className: "note" }, t("level_axis"))
      );
    });
    return el(
      "section",
      { id: "distribution" },
      el("h2", {}, t("distribution")),
      el("p", { className: "note" }, t("distribution_note")),
      charts
    );
  }

  function meanLevel(learner) {
    const levels = Object.values(learner.levels).map((score) => score.level);
    return levels.length ? levels.reduce((a, b) => a + b, 0) / levels.length : -1;
  }

  function sortedLearners() {
    const byName = (a, b) =>
      learnerName(a).localeCompare(learnerName(b), language, { sensitivity: "base", numeric: true }) || a.number - b.number;
    const learners = report.learners.slice();
    if (sortKey === "name") return learners.sort(byName);
    const key = (learner) => {
      if (sortKey === "level") return meanLevel(learner);
      const score = learner.levels[sortKey];
      return score ? score.level : -1;
    };
    return learners.sort((a, b) => key(b) - key(a) || byName(a, b));
  }

  function heatmapSection() {
    const section = el("section", { id: "heatmap" });
    const draw = () => {
      const codes = report.campaign.competences.map((item) => item.code);
      const sortButton = (key, label) =>
        el(
          "button",
          {
            "aria-pressed": String(sortKey === key),
            dataset: { sort: key },
            onclick: () => {
              sortKey = key;
              draw();
            },
          },
          label
        );
      const head = el(
        "tr",
        {},
        el("th", { className: "name", scope: "col" }, ""),
        codes.map((code) =>
          el("th", { scope: "col", title: competence(code).name }, sortButton(code, code))
        )
      );
      const rows = sortedLearners().map((learner) =>
        el(
          "tr",
          { dataset: { number: learner.number } },
          el(
            "th",
            { className: "name", scope: "row" },
            learner.status === "shared"
              ? el("button", { onclick: () => showProfile(learner) }, learnerName(learner))
              : el("span", { className: "muted" }, learnerName(learner))
          ),
          codes.map((code) => {
            const score = learner.levels[code];
            if (learner.status !== "shared" || !score) {
              return el(
                "td",
                { className: "hidden", title: learner.status === "shared" ? "" : t("not_shared"), dataset: { competence: code } },
                "·"
              );
            }
            return el(
              "td",
              {
                className: "l" + Math.max(0, Math.min(8, score.level)),
                title: competence(code).name + " · " + t("level_pix", score),
                dataset: { competence: code, level: score.level },
              },
              String(score.level)
            );
          })
        )
      );
      section.replaceChildren(
        el("h2", {}, t("heatmap")),
        el("div", { className: "sorts" }, sortButton("name", t("sort_name")), sortButton("level", t("sort_level"))),
        el("p", { className: "note" }, t("tap_learner")),
        el("div", { className: "scroll" }, el("table", { className: "heatmap" }, el("thead", {}, head), el("tbody", {}, rows)))
      );
    };
    draw();
    return section;
  }

  function tutorialItem(tutorial) {
    return el(
      "li",
      {},
      el(
        "a",
        {
          href: tutorial.url,
          target: "_blank",
          rel: "noopener noreferrer",
          onclick: (event) => {
            event.preventDefault();
            openLink(tutorial.url);
          },
        },
        tutorial.title
      ),
      el("small", {}, tutorial.source + " · " + t("minutes", { minutes: tutorial.minutes }))
    );
  }

  function toWorkSection() {
    const blocks = report.spreads.map((spread) => {
      const skills = report.to_work[spread.code] || [];
      const info = competence(spread.code);
      const block = el("div", { className: "to-work", dataset: { competence: spread.code } }, el("h3", {}, info.code + " " + info.name));
      if (!skills.length) {
        block.append(el("p", { className: "note" }, t("nothing_to_work")));
        return block;
      }
      for (const skill of skills) {
        block.append(
          el(
            "div",
            { className: "skill", dataset: { skill: skill.skill } },
            el("strong", {}, skill.name),
            el("div", { className: "note" }, t("failed_by", { failed: skill.failed, tried: skill.tried })),
            skill.tutorials.length
              ? el("ul", { className: "tutorials" }, skill.tutorials.map(tutorialItem))
              : el("p", { className: "note" }, t("no_tutorial"))
          )
        );
      }
      block.append(sendForm(spread.code));
      return block;
    });
    return el(
      "section",
      { id: "to-work" },
      el("h2", {}, t("to_work")),
      el("p", { className: "note" }, t("to_work_note")),
      blocks
    );
  }

  function sendForm(code) {
    const line = el("p", { className: "status-line", role: "status" });
    if (!report.groups.length) {
      return el("div", { className: "send" }, el("p", { className: "note" }, t("no_group")));
    }
    const select = el(
      "select",
      { "aria-label": t("choose_group") },
      el("option", { value: "" }, t("choose_group")),
      report.groups.map((group) => el("option", { value: String(group.id) }, group.title))
    );
    const button = el("button", { disabled: true }, t("send"));
    select.addEventListener("change", () => {
      button.disabled = !select.value;
    });
    button.addEventListener("click", async () => {
      button.disabled = true;
      line.className = "status-line";
      try {
        const answer = await api("api/campaigns/" + encodeURIComponent(report.campaign.code) + "/send", {
          method: "POST",
          body: { group: select.value, competence: code },
          accept: [403, 404, 409],
        });
        const result = answer.data && answer.data.result;
        if (answer.status === 200) {
          line.textContent = t("sent", { group: answer.data.group });
        } else {
          line.className = "status-line error";
          line.textContent = t(result === "already_sent" || result === "not_admin" || result === "group_gone" ? result : "forbidden");
        }
      } catch (error) {
        line.className = "status-line error";
        line.textContent = error instanceof Refused && error.status === 401 ? t("unauthenticated") : t("failed");
      }
      button.disabled = !select.value;
    });
    return el("div", {}, el("div", { className: "note" }, t("send_title")), el("div", { className: "send" }, select, button), line);
  }

  function csvSection() {
    const line = el("p", { className: "status-line", role: "status" });
    const button = el("button", {}, t("csv"));
    button.addEventListener("click", async () => {
      line.textContent = "";
      try {
        const code = encodeURIComponent(report.campaign.code);
        const link = (await api("api/campaigns/" + code + "/csv-link", { method: "POST" })).data;
        const url = new URL("api/campaigns/" + code + "/" + link.url, window.location.href).href;
        if (tg && typeof tg.downloadFile === "function" && (!tg.isVersionAtLeast || tg.isVersionAtLeast("8.0"))) {
          tg.downloadFile({ url: url, file_name: link.file_name });
        } else {
          const anchor = el("a", { href: url, download: link.file_name });
          document.body.append(anchor);
          anchor.click();
          anchor.remove();
        }
      } catch (error) {
        line.className = "status-line error";
        line.textContent = error instanceof Refused && error.status === 401 ? t("unauthenticated") : t("failed");
      }
    });
    return el("section", { id: "csv" }, button, el("p", { className: "note" }, t("csv_note")), line);
  }

  // --- a learner's profile ----------------------------------------------------------------

  function closeProfile() {
    sheet.hidden = true;
    sheet.replaceChildren();
    setBack(previousBack);
  }

  let previousBack = null;

  function showProfile(learner) {
    if (learner.status !== "shared") return; // the others have no profile to show
    previousBack = back;
    setBack(closeProfile);
    const total = report.campaign.competences.length;
    const label = report.campaign.identifier_label;
    const details = el(
      "dl",
      {},
      el("dt", {}, statusLabel(learner.status)),
      el("dd", {}, t("progress", { done: learner.done, total: total })),
      learner.identifier
        ? el(
            "dd",
            {},
            label
              ? t("status_count", { status: label, count: learner.identifier })
              : t("identifier", { identifier: learner.identifier })
          )
        : null,
      el("dd", {}, t("joined_on", { date: learner.joined })),
      learner.shared ? el("dd", {}, t("shared_on", { date: learner.shared })) : null
    );
    const levels = el(
      "ul",
      { className: "levels" },
      report.campaign.competences.map((info) => {
        const score = learner.levels[info.code];
        const shown = score ? t("level_pix", score) : "—";
        return el("li", { dataset: { competence: info.code } }, info.code + " " + info.name + " — " + shown);
      })
    );
    const parts = [
      el("button", { className: "plain", onclick: closeProfile }, t("close")),
      el("h1", {}, learnerName(learner)),
      details,
      levels,
    ];
    const validated = learner.skills.filter((skill) => skill.validated);
    const failed = learner.skills.filter((skill) => !skill.validated);
    if (validated.length) {
      parts.push(el("h3", {}, t("validated")), el("ul", {}, validated.map((skill) => el("li", {}, skill.name))));
    }
    if (failed.length) {
      parts.push(el("h3", {}, t("failed_skills")), el("ul", {}, failed.map((skill) => el("li", {}, skill.name))));
    }
    sheet.replaceChildren(...parts);
    sheet.hidden = false;
    sheet.scrollTop = 0;
  }

  // --- start ---------------------------------------------------------------------------------

  async function start() {
    applyTheme();
    if (tg) {
      if (typeof tg.onEvent === "function") tg.onEvent("themeChanged", applyTheme);
      if (tg.BackButton && typeof tg.BackButton.onClick === "function") {
        tg.BackButton.onClick(() => back && back());
      }
      if (typeof tg.ready === "function") tg.ready();
      if (typeof tg.expand === "function") tg.expand();
    }
    const user = tg && tg.initDataUnsafe && tg.initDataUnsafe.user;
    const wanted = ((user && user.language_code) || "en").split("-")[0].toLowerCase();
    try {
      await loadTexts(["en", "fr", "sv"].includes(wanted) ? wanted : "en");
    } catch (error) {
      T = {};
    }
    const code = new URLSearchParams(window.location.search).get("campaign");
    if (!initData) {
      showError(new Refused(401, "unauthenticated"));
    } else if (code) {
      await showCampaign(code, true);
    } else {
      await showCampaigns();
    }
  }

  start();
})();
