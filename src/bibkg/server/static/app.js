// The query page: no external assets, no framework.  Named queries come from /queries; a named
// query whose text was not edited runs at /queries/NAME with its parameters bound as RDF terms
// by the server; any other text is POSTed to /sparql.
"use strict";
const $ = (id) => document.getElementById(id);
let catalog = [];
let current = null;

const PREFIXES = {
  "https://w3id.org/bibkg/ns#": "bibkg:",
  "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
  "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
  "http://www.w3.org/2001/XMLSchema#": "xsd:",
};

function shortIri(iri) {
  for (const [ns, p] of Object.entries(PREFIXES)) if (iri.startsWith(ns)) return p + iri.slice(ns.length);
  return iri;
}

// The base of the data's entity IRIs (bibkg.iris.ANTHOLOGY): this server dereferences them at the
// same path (/people/…/, /volumes/…/, /events/…/, /venues/…/, /sigs/…/, /2024.acl-long.1/), as the
// entity pages do (bibkg.web.page_parts.local_path).
const DATA_BASE = "https://aclanthology.org/";

function href(iri) {
  // An entity IRI (it ends with "/") opens this server's page; a node inside an entity (a hash
  // IRI) its description at /resource; any other http(s) IRI (a PDF, a DOI, an ORCID) as it is.
  if (iri.startsWith(DATA_BASE)) {
    const path = iri.slice(DATA_BASE.length);
    if (!path.includes("#") && path.endsWith("/")) return "/" + path;
    if (path.includes("#")) return "/resource?iri=" + encodeURIComponent(iri);
  }
  return iri;
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && /^https?:\/\//i.test(term.value)) {
    // only http(s) IRIs become links: a javascript: or data: IRI in a result is shown as text
    const a = document.createElement("a");
    a.href = href(term.value); a.textContent = shortIri(term.value); a.rel = "noopener"; a.title = term.value;
    td.appendChild(a);
  } else if (term.type === "uri") {
    td.textContent = "<" + term.value + ">";
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
    else if (term.datatype) td.title = shortIri(term.datatype);
  }
  return td;
}

function isGraphQuery(text) {
  const body = text.replace(/#[^\n]*/g, " ").replace(/(PREFIX|BASE)\s+[^<]*<[^>]*>/gi, " ");
  const m = body.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
  return m && /CONSTRUCT|DESCRIBE/i.test(m[1]);
}

function requestUrl(format) {
  const text = $("editor").value;
  if (current && text === current.text) {
    const qs = new URLSearchParams();
    for (const p of current.params) {
      const v = $("param-" + p.name).value;
      if (v !== "") qs.set(p.name, v);
    }
    if (format) qs.set("format", format);
    return { url: "/queries/" + encodeURIComponent(current.name) + "?" + qs.toString(), body: null };
  }
  const qs = new URLSearchParams({ query: text });
  if (format) qs.set("format", format);
  return { url: "/sparql?" + qs.toString(), body: text };
}

function renderDownloads() {
  const graph = isGraphQuery($("editor").value);
  const formats = graph ? ["turtle", "ntriples", "jsonld", "rdfxml"] : ["json", "xml", "csv", "tsv"];
  const box = $("downloads");
  box.textContent = "Download: ";
  for (const f of formats) {
    const a = document.createElement("a");
    const { url } = requestUrl(f);
    a.href = url + "&download=1"; a.textContent = f; a.className = "download"; a.dataset.format = f;
    box.appendChild(a);
  }
}

async function run() {
  const status = $("status");
  status.className = ""; status.textContent = "running…";
  $("results").replaceChildren(); $("raw").textContent = ""; $("notice").textContent = "";
  const graph = isGraphQuery($("editor").value);
  const accept = graph ? "text/turtle" : "application/sparql-results+json";
  const { url, body } = requestUrl(null);
  const started = performance.now();
  let response;
  try {
    if (body !== null) {
      response = await fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", Accept: accept }, body });
    } else {
      response = await fetch(url, { headers: { Accept: accept } });
    }
  } catch (err) {
    status.className = "error"; status.textContent = "request failed: " + err; return;
  }
  const ms = Math.round(performance.now() - started);
  const text = await response.text();
  if (!response.ok) { status.className = "error"; status.textContent = text; return; }
  const truncated = response.headers.get("X-Bibkg-Truncated");
  if (truncated) $("notice").textContent = "Result truncated (" + truncated + "): narrow the query or add LIMIT/OFFSET.";
  if (graph) {
    $("raw").textContent = text;
    status.textContent = `${response.headers.get("X-Bibkg-Rows") || "?"} triples in ${ms} ms`;
    renderDownloads(); return;
  }
  const data = JSON.parse(text);
  if ("boolean" in data) { $("raw").textContent = String(data.boolean); status.textContent = `ASK in ${ms} ms`; renderDownloads(); return; }
  const vars = data.head.vars;
  const table = $("results");
  const head = table.createTHead().insertRow();
  for (const v of vars) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); }
  const tbody = table.createTBody();
  for (const b of data.results.bindings) {
    const tr = tbody.insertRow();
    for (const v of vars) tr.appendChild(cell(b[v]));
  }
  status.textContent = `${data.results.bindings.length} rows in ${ms} ms`;
  renderDownloads();
}

function selectQuery(name) {
  current = catalog.find((q) => q.name === name) || null;
  const params = $("params");
  params.replaceChildren();
  $("summary").textContent = current ? current.summary : "";
  if (!current) { renderDownloads(); return; }
  $("editor").value = current.text;
  for (const p of current.params) {
    const span = document.createElement("span"); span.className = "param";
    const label = document.createElement("label"); label.htmlFor = "param-" + p.name;
    label.textContent = `${p.name} (${p.type})`;
    const input = document.createElement("input"); input.id = "param-" + p.name; input.name = p.name;
    input.value = p.example || p.default || ""; input.placeholder = p.description || p.type;
    input.addEventListener("input", renderDownloads);
    span.append(label, input); params.appendChild(span);
  }
  renderDownloads();
}

async function init() {
  $("run").addEventListener("click", run);
  $("editor").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  $("editor").addEventListener("input", renderDownloads);
  $("named").addEventListener("change", (e) => selectQuery(e.target.value));
  try {
    const response = await fetch("/queries?format=json", { headers: { Accept: "application/json" } });
    catalog = (await response.json()).queries;
  } catch (err) { catalog = []; }
  for (const q of catalog) {
    const option = document.createElement("option");
    option.value = q.name; option.textContent = `${q.name} — ${q.summary}`;
    $("named").appendChild(option);
  }
  const params = new URLSearchParams(location.search);
  if (params.get("query")) { $("editor").value = params.get("query"); }
  else if (params.get("name")) { $("named").value = params.get("name"); selectQuery(params.get("name")); }
  renderDownloads();
  if (params.get("query") || params.get("run")) run();
  document.body.dataset.ready = "true";
}
init();
