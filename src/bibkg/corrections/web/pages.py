"""The HTML pages of the correction doors: "Fix paper assignments" for a person, the
maintainers' review of pending proposals with the evidence of both persons side by side, and a
refusal.  Pages carry ``__CSRF__`` where :func:`~bibkg.corrections.web.forms.html_with_csrf`
puts the form's token."""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any, cast
from urllib.parse import quote

import pyoxigraph as ox

from ... import iris
from ... import vocab as V
from ..errors import CorrectionError
from ..facts import GraphFacts
from ..json_form import change_to_dict
from ..model import LinkDecision, Status, ToNewPerson
from ..service import CorrectionService

SHOWN_PAPERS = 400
"""Papers listed at most on the fix page (a prolific person's page stays usable)."""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_STYLE = """body{font-family:system-ui,sans-serif;max-width:64rem;margin:1rem auto;padding:0 1rem;line-height:1.4}
.error{color:#a00}.pending{background:#fff8e0;padding:.5rem;border:1px solid #e0c060}
.cols{display:flex;gap:1rem}.cols>div{flex:1;border:1px solid #ccc;padding:.5rem}
fieldset{margin:1rem 0}label{display:block;margin:.2rem 0}#results li{cursor:pointer}"""


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)} – bibkg</title>"
        f"<meta name=viewport content='width=device-width'><style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def refused_page(exc: CorrectionError) -> str:
    """The page of a refused form: the error's status and message."""
    return _page(
        "Correction refused",
        f"<p class=error><b>{exc.status}</b> {_e(str(exc))}</p><p><a href='javascript:history.back()'>back</a></p>",
    )


_SEARCH_SCRIPT = """<script>
const box=document.getElementById('search'),list=document.getElementById('results'),id=document.getElementById('to_id');
let timer=null;
box.addEventListener('input',()=>{clearTimeout(timer);timer=setTimeout(async()=>{
 const q=box.value.trim(); list.innerHTML=''; if(!q)return;
 const r=await fetch('/corrections/search?q='+encodeURIComponent(q)); const found=await r.json();
 for(const m of found){const li=document.createElement('li');li.textContent=m.label+' ('+m.id+(m.verified?'':', unverified')+')';
  li.dataset.id=m.id;li.addEventListener('click',()=>{id.value=m.id;box.value=m.label;list.innerHTML='';
  document.getElementById('target-person').checked=true;});list.appendChild(li);}
},200);});
</script>"""


def _titles(store: ox.Store, items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        for q in store.quads_for_pattern(ox.NamedNode(iris.paper_iri(item)), ox.NamedNode(V.title), None, None):
            out[item] = cast(ox.Literal, q.object).value  # a title is a literal (no quoted triples in bibkg's graph)
            break
    return out


def fix_page(service: CorrectionService, pid: str, submitted: str | None) -> tuple[str, int]:
    with service.facts() as facts:
        person = facts.person(pid)
        if person is None:
            return _page("Unknown person", f"<p class=error>404: no person {_e(pid)} in the graph</p>"), 404
        mine = [c for c in facts.contributions(pid) if c.role == "author"][:SHOWN_PAPERS]
        titles = _titles(facts.store, [c.item for c in mine])
    pending = [e for e in service.list(person=pid) if e.status in (Status.PROPOSED, Status.APPROVED)]
    rows = "".join(
        f"<li><label><input type=checkbox name=paper value='{_e(c.item)}|{c.position}|{_e(c.name.first or '')}|{_e(c.name.last)}'> "
        f"<a href='{_e(iris.paper_iri(c.item))}'>{_e(c.item)}</a> {_e(titles.get(c.item, ''))} "
        f"<small>(author {c.position}, printed “{_e(c.name.full)}”)</small></label></li>"
        for c in mine
    )
    notice = (
        f"<p class=pending id=submitted>Proposal {_e(submitted)} submitted: pending review.</p>" if submitted else ""
    )
    pend = "".join(
        f"<li class=pending>{_e(e.correction.id)} — {_e(e.status.value)} — {_e(e.correction.change.kind)}: "
        f"{_e(', '.join(a.paper for a in getattr(e.correction.change, 'authorships', ())))} — {_e(e.correction.reason)}</li>"
        for e in pending
    )
    body = f"""<h1>{_e(person.label)}</h1><p><a href='{_e(iris.person_iri(pid))}'>{_e(pid)}</a></p>
{notice}<h2>Fixing paper assignments</h2>
<p>Please select all papers that do not belong to this person.</p>
<form method=post action='/corrections/fix/{_e(quote(pid))}' id=fix>
<input type=hidden name=csrf value='__CSRF__'>
<ul id=papers>{rows}</ul>
<p>Indicate below which author they should be assigned to.</p>
<fieldset><legend>Assign to</legend>
<label><input type=radio name=target value=person id=target-person> an existing author:
 <input id=search placeholder='search by name, any script or order' autocomplete=off>
 <input type=hidden name=to_id id=to_id></label><ul id=results></ul>
<label><input type=radio name=target value=new id=target-new> a new person:
 <input name=new_name id=new_name placeholder='Last, First'> ORCID <input name=orcid id=orcid placeholder='0000-0000-0000-0000'>
 disambiguator <input name=disambiguator id=disambiguator placeholder='e.g. institution'></label>
<label><input type=radio name=target value=unknown id=target-unknown> I don't know</label>
</fieldset>
<label>Reason <textarea name=reason id=reason required rows=3 cols=60></textarea></label>
<label>Evidence links (space-separated) <input name=evidence id=evidence size=60></label>
<label>Your token <input type=password name=token id=token required autocomplete=current-password></label>
<button type=submit id=submit>Submit</button></form>
<h2>Pending proposals for this person</h2><ul id=pending>{pend or "<li>none</li>"}</ul>
{_SEARCH_SCRIPT}"""
    return _page(f"Fix paper assignments – {person.label}", body), 200


def _evidence(facts: GraphFacts, pid: str) -> str:
    person = facts.person(pid)
    if person is None:
        return f"<div><h3>{_e(pid)}</h3><p>(not in the graph)</p></div>"
    contributions = [c for c in facts.contributions(pid) if c.role == "author"]
    items = [c.item for c in contributions]
    coauthors: Counter[str] = Counter()
    venues: Counter[str] = Counter()
    for item in items[:200]:
        for other in facts.authors(item) or []:
            if other.person != pid:
                coauthors[other.person] += 1
        venues[item.rsplit(".", 1)[0] if "." in item else item.split("-")[0]] += 1
    titles = _titles(facts.store, items[:25])
    papers = "".join(f"<li>{_e(i)} {_e(titles.get(i, ''))}</li>" for i in items[:25])
    co = ", ".join(f"{_e(p)} ({n})" for p, n in coauthors.most_common(10))
    ven = ", ".join(f"{_e(v)} ({n})" for v, n in venues.most_common(10))
    return (
        f"<div><h3>{_e(person.label)} <small>{_e(pid)}{'' if person.verified else ', unverified'}</small></h3>"
        f"<p>{len(items)} papers</p><ul>{papers}</ul><p><b>Coauthors:</b> {co or '—'}</p><p><b>Venues:</b> {ven or '—'}</p></div>"
    )


def review_page(service: CorrectionService) -> str:
    pending = [e for e in service.list() if e.status in (Status.PROPOSED, Status.APPROVED)]
    blocks = []
    with service.facts() as facts:
        for entry in pending:
            c = entry.correction
            change = c.change
            persons = sorted(c.persons())
            target = getattr(change, "to", None)
            side = "".join(_evidence(facts, p) for p in persons[:2])
            if isinstance(target, ToNewPerson):
                side += f"<div><h3>new person</h3><p>{_e(target.name.full)} {_e(target.orcid or '')}</p></div>"
            if isinstance(change, LinkDecision):
                paper = f" · <a href='/{_e(change.paper)}/'>{_e(change.paper)}</a>" if change.paper else ""
                side += (
                    f"<div><h3>Daily Papers link</h3><p>{_e(change.decision.value)}: {_e(change.statement)}</p>"
                    f"<p><a href='https://arxiv.org/abs/{_e(change.preprint)}' rel=nofollow>arXiv {_e(change.preprint)}</a>"
                    f"{paper}</p></div>"
                )
            links = " ".join(f"<a href='{_e(u)}' rel=nofollow>{_e(u)}</a>" for u in c.evidence)
            blocks.append(f"""<section class=proposal id='{_e(c.id)}'><h2>{_e(c.id)} — {_e(change.kind)} — {_e(entry.status.value)}</h2>
<p>by {_e(c.proposer)} at {_e(c.created)}: {_e(c.reason)}</p><p>{links}</p>
<pre>{_e(json.dumps(change_to_dict(change), ensure_ascii=False, indent=1))}</pre>
<div class=cols>{side}</div>
<form method=post action='/corrections/review'><input type=hidden name=csrf value='__CSRF__'><input type=hidden name=id value='{_e(c.id)}'>
Token <input type=password name=token required> Note <input name=note>
<button name=action value=approve>Approve</button> <button name=action value=apply>Apply</button> <button name=action value=reject>Reject</button></form></section>""")
    return _page(
        "Review corrections", "<h1>Pending corrections</h1>" + ("".join(blocks) or "<p id=none>Nothing to review.</p>")
    )
