// The Reports page: the period and filters in the URL's query, the figures from
// /api/v1/reports/*, each chart drawn by uPlot (vendored, loaded on this page only) beside a
// table with the same numbers.

import { el } from "./dom.js";
import { api } from "./http.js";

const root = document.getElementById("reports");
const form = document.getElementById("report-form");
const status = document.getElementById("report-status");
const charts = new Map();
// Reports over no one's conversations take fewer filters (the server refuses the others).
const ONLY = {
  knowledge: ["period", "from", "to", "locale"],
  retention: ["period", "from", "to"],
  quality: ["period", "from", "to", "team", "agent"],
  known_issues: ["period", "from", "to"],
};

const FIGURES = [
  ["New conversations", (o) => o.conversations.new, "count"],
  ["Reopened", (o) => o.conversations.reopened, "count"],
  ["Handed to a person", (o) => o.conversations.handed_to_person, "count"],
  ["Resolved", (o) => o.conversations.resolved, "count"],
  ["Self-service deflection", (o) => o.self_service.deflection, "share"],
  ["First response, median", (o) => o.first_response.median_seconds, "time"],
  ["First response, p90", (o) => o.first_response.p90_seconds, "time"],
  ["First response in business hours, median", (o) => o.first_response.business_median_seconds, "time"],
  ["First response in business hours, p90", (o) => o.first_response.business_p90_seconds, "time"],
  ["Resolution, median", (o) => o.resolution.median_seconds, "time"],
  ["Resolution, p90", (o) => o.resolution.p90_seconds, "time"],
  ["Resolution in business hours, median", (o) => o.resolution.business_median_seconds, "time"],
  ["Resolution in business hours, p90", (o) => o.resolution.business_p90_seconds, "time"],
  ["CSAT: rated 4 or 5", (o) => o.csat.satisfied_share, "share"],
  ["CSAT: average score", (o) => o.csat.average, "number"],
  ["CSAT: response rate", (o) => o.csat.response_rate, "share"],
];

export function formatValue(value, kind) {
  if (value === null || value === undefined) return "–";
  if (kind === "share") return `${(value * 100).toFixed(1)} %`;
  if (kind === "time") return duration(value);
  return String(value);
}

function duration(seconds) {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

function query() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (!value) continue;
    if ((name === "from" || name === "to") && form.elements.period.value !== "custom") continue;
    if (name === "period" && value === "custom") continue;
    params.set(name, value);
  }
  return params;
}

function showCustomDays() {
  const custom = form.elements.period.value === "custom";
  for (const label of form.querySelectorAll(".custom-day")) label.hidden = !custom;
}

function row(cells, header = false) {
  return el("tr", {}, ...cells.map((text, n) => el(header || n === 0 ? "th" : "td", header ? { scope: "col", text } : n === 0 ? { scope: "row", text } : { text })));
}

function renderOverview(report) {
  document.getElementById("this-period").textContent = `${report.period.from} – ${report.period.to}`;
  document.getElementById("previous-period").textContent = `${report.previous_period.from} – ${report.previous_period.to}`;
  document.getElementById("overview-rows").replaceChildren(
    ...FIGURES.map(([name, pick, kind]) => {
      const tr = row([name, formatValue(pick(report.current), kind), formatValue(pick(report.previous), kind)]);
      tr.dataset.figure = name;
      return tr;
    }),
  );
}

function colour(name) {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || "#2456c5";
}

const noon = (day) => Date.parse(`${day}T12:00:00Z`) / 1000;

// One uPlot line chart per figure; redrawn on every report and on a colour-scheme change.
// ``ranges`` fixes an axis (e.g. a score's 0-100) instead of fitting it to the points.
function drawChart(id, days, series, ranges = {}) {
  const target = document.getElementById(id);
  charts.get(id)?.destroy();
  const axis = { stroke: colour("--text"), grid: { stroke: colour("--line") }, ticks: { stroke: colour("--line") } };
  const x = days.map((day) => noon(day.day));
  const options = {
    width: Math.max(280, target.clientWidth || 420),
    height: 200,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true, ...(ranges.x && { range: ranges.x }) }, y: ranges.y ? { range: ranges.y } : {} },
    axes: [axis, axis],
    series: [{}, ...series.map(([label, , stroke]) => ({ label, stroke: colour(stroke), width: 2, points: { show: true } }))],
  };
  const data = [x, ...series.map(([, pick]) => days.map(pick))];
  charts.set(id, new window.uPlot(options, data, target));
  target.dataset.values = JSON.stringify(data.slice(1)); // what the chart shows, for scripts and tests
}

function fillTable(id, header, rows, empty = "Nothing in this period.") {
  const table = document.getElementById(id);
  const body = rows.length ? rows.map((cells) => row(cells)) : [el("tr", {}, el("td", { colSpan: header.length, text: empty }))];
  table.replaceChildren(...table.querySelectorAll("caption"), el("thead", {}, row(header, true)), el("tbody", {}, ...body));
}

function paramsFor(name, params) {
  const only = ONLY[name];
  if (!only) return params;
  return new URLSearchParams([...params].filter(([key]) => only.includes(key)));
}

const EXPERIENCE = {
  last_rating_1_2: "Last rating 1–2",
  last_rating_4_5: "Last rating 4–5",
  waited_past_first_response_target: "Waited past the first-response target",
  first_responses_within_target: "First responses within the target",
};

// With no customer attributes yet, the section shows the host exactly what to send.
function renderRetention(report) {
  document.getElementById("retention-empty").hidden = !report.empty;
  document.getElementById("retention-figures").hidden = report.empty;
  document.getElementById("retention-example").textContent = report.example;
  const percent = (value) => (value === null ? "–" : `${value.toFixed(2)} %`);
  const money = (value) => (value === null ? "–" : value.toFixed(2));
  fillTable("retention-table", ["Figure", "Value"], [
    ["Customers at the start (S)", String(report.customers_at_start)],
    ["Customers at the end (E)", String(report.customers_at_end)],
    ["New customers (N)", String(report.new_customers)],
    ["Lost customers", String(report.lost_customers)],
    ["Customer retention rate, (E − N) ÷ S", percent(report.retention_rate)],
    ["Churn rate, lost ÷ S", percent(report.churn_rate)],
    ["Average purchase value", money(report.clv.average_purchase_value)],
    ["Purchases per customer-year", formatValue(report.clv.purchase_frequency_per_year, "number")],
    ["Customer lifespan (years)", formatValue(report.clv.lifespan_years, "number")],
    ["Customer lifetime value", money(report.clv.value)],
    ["Customers with unreadable attributes", String(report.unreadable)],
  ]);
  fillTable("retention-experience", ["Customers", "Count", "Lost", "Churn rate"], report.by_experience.map((g) => [
    EXPERIENCE[g.group] || g.group, String(g.customers), String(g.lost), percent(g.churn_rate),
  ]));
}

function renderKnowledge(report) {
  const searches = (rows) => rows.map((r) => [r.query, String(r.searches), String(r.clicks)]);
  fillTable("top-searches", ["Query", "Searches", "Led to an article"], searches(report.top_searches));
  fillTable("no-result-searches", ["Query", "Searches", "Led to an article"], searches(report.no_result_searches));
  fillTable("bot-unanswered", ["Question", "Asked", "Led to an article"], searches(report.bot_unanswered));
  fillTable("not-helpful", ["Article", "Not helpful", "Helpful"], report.not_helpful.map((r) => [r.slug, String(r.not_helpful), String(r.helpful)]));
  fillTable("self-served-articles", ["Article", "Visitors", "Episodes"], report.self_served_articles.map((r) => [r.slug, String(r.visitors), String(r.episodes)]));
}

// Compliance as "met of answered (share)", so a share of one response is not read as a trend.
function met(part, whole, share) {
  return whole ? `${part} of ${whole} (${formatValue(share, "share")})` : "–";
}

function renderQuality(report) {
  const weeks = report.iqs_weeks.map((w) => ({ day: w.week, iqs: w.iqs }));
  // Over the whole period and the whole scale, so one week's point does not fill the chart.
  const period = [noon(report.period.from), noon(report.period.to)];
  drawChart("iqs-chart", weeks, [["IQS", (w) => w.iqs, "--chart-4"]], { x: period, y: [0, 100] });
  fillTable("iqs-weeks", ["Week of", "Reviews", "IQS"], report.iqs_weeks.map((w) => [w.week, String(w.reviews), String(w.iqs)]), "No reviews in this period.");
  const compliance = (rows) => rows.map((r) => [
    r.name, met(r.on_time, r.first_responses, r.compliance), met(r.next_on_time, r.next_responses, r.next_compliance), String(r.first_breaches + r.next_breaches),
  ]);
  const header = (who) => [who, "First response in time", "Next response in time", "Breaches"];
  fillTable("compliance-agents", header("Agent"), compliance(report.compliance_agents), "No responses in this period.");
  fillTable("compliance-teams", header("Team"), compliance(report.compliance_teams), "No responses in this period.");
  const scores = (rows) => rows.map((r) => [r.name, String(r.reviews), String(r.iqs)]);
  fillTable("iqs-agents", ["Agent", "Reviews", "IQS"], scores(report.iqs_agents), "No reviews in this period.");
  fillTable("iqs-teams", ["Team", "Reviews", "IQS"], scores(report.iqs_teams), "No reviews in this period.");
  const weekly = (rows) => rows.map((r) => [r.week, r.name, String(r.reviews), String(r.iqs)]);
  fillTable("iqs-agent-weeks", ["Week of", "Agent", "Reviews", "IQS"], weekly(report.iqs_agent_weeks), "No reviews in this period.");
  fillTable("iqs-team-weeks", ["Week of", "Team", "Reviews", "IQS"], weekly(report.iqs_team_weeks), "No reviews in this period.");
}

function renderKnownIssues(report) {
  const rows = report.issues.map((i) => [i.title, i.status, String(i.linked), String(i.notified), String(i.read), String(i.replied)]);
  const t = report.totals;
  if (rows.length) rows.push(["All", `${t.open} open, ${t.fixed} fixed`, String(t.conversations), String(t.notified), String(t.read), String(t.replied)]);
  fillTable("known-issues", ["Issue", "Status", "Linked", "Told of the fix", "Read it", "Replied"], rows, "No known issues in this period.");
}

const LABEL_SERIES = 6;

function renderLabels(report) {
  const days = report.buckets.map((day, n) => ({ day, n }));
  const top = report.labels.slice(0, LABEL_SERIES);
  const series = top.map((l, i) => [l.label, (d) => l.counts[d.n], `--chart-${i + 1}`]);
  drawChart("labels-chart", days, series);
  // The key: each label beside its line's colour (the table below has every number).
  document.getElementById("labels-key").replaceChildren(...series.map(([name, , stroke]) =>
    el("li", {}, el("span", { class: "swatch", style: `background: ${colour(stroke)}` }), ` ${name}`)));
  const header = ["Label", "Total", ...report.buckets.map((day) => (report.bucket === "week" ? `week of ${day}` : day))];
  fillTable("labels-table", header, report.labels.map((l) => [l.label, String(l.total), ...l.counts.map(String)]), "No labelled conversations in this period.");
}

function renderCharts(report) {
  const days = report.days;
  const minutes = (d) => (d.first_response_median_seconds === null ? null : d.first_response_median_seconds / 60);
  const percent = (d) => (d.csat_satisfied_share === null ? null : d.csat_satisfied_share * 100);
  drawChart("volume-chart", days, [["New", (d) => d.new, "--chart-1"], ["Resolved", (d) => d.resolved, "--chart-2"]]);
  drawChart("response-chart", days, [["Median first response (min)", minutes, "--chart-1"]]);
  drawChart("csat-chart", days, [["Rated 4 or 5 (%)", percent, "--chart-2"]]);
  fillTable("volume-table", ["Day", "New", "Resolved"], days.map((d) => [d.day, String(d.new), String(d.resolved)]));
  fillTable("response-table", ["Day", "Median first response"], days.map((d) => [d.day, formatValue(d.first_response_median_seconds, "time")]));
  fillTable("csat-table", ["Day", "Ratings", "Rated 4 or 5"], days.map((d) => [d.day, String(d.ratings), formatValue(d.csat_satisfied_share, "share")]));
  renderHeatmap(report.busiest_hours);
}

// The busiest hours as a table whose cells are shaded by count: readable as numbers too.
function renderHeatmap(grid) {
  const most = Math.max(1, ...grid.counts.flat());
  const header = el("tr", {}, el("th", { scope: "col", text: "Day" }), ...grid.hours.map((h) => el("th", { scope: "col", text: String(h).padStart(2, "0") })));
  const body = grid.weekdays.map((day, n) =>
    el("tr", {}, el("th", { scope: "row", text: day }), ...grid.counts[n].map((count) => {
      const cell = el("td", { text: String(count) });
      const level = Math.ceil((count / most) * 4);
      cell.className = `heat-${level}`;
      return cell;
    })),
  );
  document.getElementById("busiest-hours").replaceChildren(el("thead", {}, header), el("tbody", {}, ...body));
}

function renderAgents(report) {
  document.getElementById("agent-rows").replaceChildren(
    ...report.agents.map((a) => row([
      a.name,
      String(a.handled),
      formatValue(a.first_response_median_seconds, "time"),
      String(a.resolved),
      formatValue(a.resolution_median_seconds, "time"),
      formatValue(a.csat_satisfied_share, "share"),
      formatValue(a.reopen_rate, "share"),
      formatValue(a.online_seconds, "time"),
    ])),
  );
}

function renderCsat(report) {
  document.getElementById("csat-distribution").replaceChildren(
    ...["5", "4", "3", "2", "1"].map((score) => row([score, String(report.distribution[score])])),
  );
  const comments = report.comments.map((c) =>
    el("li", { class: `score-${c.score}` },
      el("span", { class: "score", text: `${c.score}/5` }), " ",
      el("q", { text: c.comment }), " ",
      el("a", { href: c.link, text: `conversation ${c.conversation_id}` }),
      c.agent ? el("span", { class: "hint", text: ` · ${c.agent}` }) : null),
  );
  document.getElementById("csat-comments").replaceChildren(...(comments.length ? comments : [el("li", { text: "No comments in this period." })]));
}

// Each load fetches every report at once, and only the latest load draws: an earlier one
// that answers late (the page's first load, say) never overwrites what was asked last.
let loads = 0;

async function load() {
  const mine = ++loads;
  const params = query();
  history.replaceState(null, "", `/console/reports?${params}`);
  for (const link of document.querySelectorAll("a.csv")) {
    link.href = `/api/v1/reports/${link.dataset.report}?${paramsFor(link.dataset.report, params)}&format=csv`;
  }
  status.textContent = "Loading…";
  const fetchReport = (name) => api("GET", `/api/v1/reports/${name}?${paramsFor(name, params)}`);
  // The other sections are fetched when the page has them (the admins' ones only for admins).
  const optional = Object.entries(OPTIONAL).filter(([name]) => document.querySelector(`section[data-report="${name}"]`));
  try {
    const names = ["overview", "charts", "agents", "csat", "labels", ...optional.map(([name]) => name)];
    const [overview, series, agents, csat, labelled, ...extra] = await Promise.all(names.map(fetchReport));
    if (mine !== loads) return;
    renderOverview(overview);
    renderCharts(series);
    renderLabels(labelled);
    lastLabels = labelled;
    renderAgents(agents);
    renderCsat(csat);
    optional.forEach(([name, render], n) => {
      render(extra[n]);
      if (name === "quality") lastQuality = extra[n];
    });
    lastSeries = series;
    status.textContent = `Showing ${overview.period.from} – ${overview.period.to} (${overview.period.timezone}).`;
    root.dataset.loaded = "true";
  } catch (error) {
    if (mine === loads) status.textContent = `Error: ${error.message}`;
  }
}

let lastSeries = null;
let lastLabels = null;
let lastQuality = null;
const OPTIONAL = { quality: renderQuality, known_issues: renderKnownIssues, knowledge: renderKnowledge, retention: renderRetention };

async function fillFilters() {
  const { agents, teams } = await api("GET", "/api/v1/console/agents");
  form.elements.team.append(...teams.map((t) => el("option", { value: t.id, text: t.name })));
  form.elements.agent?.append(...agents.map((a) => el("option", { value: a.id, text: a.name })));
}

function restoreFromUrl() {
  const params = new URLSearchParams(location.search);
  for (const [name, value] of params) {
    if (form.elements[name]) form.elements[name].value = value;
  }
  if (params.get("from")) form.elements.period.value = "custom";
}

form.addEventListener("change", (event) => { if (event.target.name === "period") showCustomDays(); });
form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
  if (lastSeries) renderCharts(lastSeries);
  if (lastLabels) renderLabels(lastLabels);
  if (lastQuality) renderQuality(lastQuality);
});

await fillFilters().catch(() => {});
restoreFromUrl();
showCustomDays();
load();
