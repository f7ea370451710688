"""The SPARQL tokenizer behind the SERVICE check, predeclared prefixes and readable syntax errors
(:mod:`bibkg.sparql.lexer`), and the one place user strings become RDF terms
(:mod:`bibkg.sparql.terms`).  Pure functions: no store, no server.

Every query marked "refused" below makes pyoxigraph 0.5 open a connection to the endpoint (the
glued and number forms were checked against a listening socket: pyoxigraph's keywords need no
word boundary)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

E = "http://127.0.0.1:9/sparql"

REFUSED = {
    "plain": f"SELECT * WHERE {{ SERVICE <{E}> {{ ?s ?p ?o }} }}",
    "silent": f"SELECT * WHERE {{ SERVICE SILENT <{E}> {{ ?s ?p ?o }} }}",
    "lower case": f"select * where {{ service <{E}> {{ ?s ?p ?o }} }}",
    "mixed case": f"SELECT * WHERE {{ SeRvIcE <{E}> {{ ?s ?p ?o }} }}",
    "glued": f"SELECT * WHERE {{ SERVICESILENT<{E}>{{ ?s ?p ?o }} }}",
    "after a number": f"SELECT * WHERE {{ ?s ?p 1SERVICE<{E}>{{ ?s ?p ?o }} }}",
    "after true": f"SELECT * WHERE {{ ?s ?p trueSERVICE<{E}>{{ ?s ?p ?o }} }}",
    "after an IRI": f"SELECT * WHERE {{ ?s ?p <http://x/>SERVICE<{E}>{{ ?s ?p ?o }} }}",
    "in EXISTS": f"ASK {{ FILTER EXISTS {{ SERVICE <{E}> {{ ?s ?p ?o }} }} }}",
    "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{E}> {{ ?s ?p ?o }} }}",
    "prefixed endpoint": "PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "empty-prefix glued": "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:{ ?s ?p ?o } }",
    "variable endpoint": "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    # '<?b)SERVICE#>' looks like an IRI to a tokenizer, but pyoxigraph reads '<' as less-than
    "less-than and comment": f"SELECT * WHERE {{ FILTER(?a<?b)SERVICE#>\n <{E}>{{ ?s ?p ?o }} }}",
    "on line 3": f"SELECT *\nWHERE {{\n  SERVICE <{E}> {{ ?s ?p ?o }} }}",
}

ALLOWED = {
    "no service": "SELECT * WHERE { ?s ?p ?o }",
    "double-quoted literal": 'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { }" }',
    "single-quoted literal": "SELECT * WHERE { ?s ?p 'service' }",
    "long literal": "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> {}\n''' }",
    "escaped quote in literal": 'SELECT * WHERE { ?s ?p "a \\" SERVICE <http://x/> {} \\"" }',
    "comment": "SELECT * WHERE { ?s ?p ?o # SERVICE <http://x/> { }\n }",
    "IRI": "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "variable": "SELECT ?service WHERE { ?s ?p ?service }",
    "prefixed name": "PREFIX service: <http://x/> SELECT * WHERE { ?s service:service ?o }",
    "language tag": 'SELECT * WHERE { ?s ?p "x"@en-service }',
    "blank node": "SELECT * WHERE { _:service ?p ?o }",
    "unicode escape in literal": 'SELECT * WHERE { ?s ?p "\\u0053ERVICE" }',
    "function name in literal": 'SELECT (CONCAT("ser", "vice") AS ?x) WHERE {}',
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=REFUSED.keys())
def test_service_is_refused(query: str) -> None:
    from bibkg.sparql.lexer import FederationRefused, check_federation
    from bibkg.vocab import PREFIXES

    with pytest.raises(FederationRefused) as info:
        check_federation(query, prefixes=PREFIXES, base_iri="https://aclanthology.org/")
    message = str(info.value)
    assert message.startswith("SERVICE is not allowed") and "BIBKG_FEDERATION_ALLOW" in message


def test_refusal_names_the_position() -> None:
    from bibkg.sparql.lexer import FederationRefused, check_federation

    with pytest.raises(FederationRefused, match=r"at 3:3\)"):
        check_federation(REFUSED["on line 3"])


@pytest.mark.parametrize("query", ALLOWED.values(), ids=ALLOWED.keys())
def test_service_elsewhere_is_not_refused(query: str) -> None:
    from bibkg.sparql.lexer import check_federation
    from bibkg.vocab import PREFIXES

    check_federation(query, prefixes=PREFIXES)
    ox.Store().query(query, prefixes=PREFIXES)  # and the query is valid SPARQL


def test_allow_list() -> None:
    from bibkg.sparql.lexer import FederationRefused, check_federation

    allowed = [E]
    check_federation(REFUSED["plain"], allowed)
    check_federation(REFUSED["silent"], allowed)
    check_federation(REFUSED["glued"], allowed)
    check_federation(REFUSED["prefixed endpoint"], allowed)
    check_federation(f'SELECT * WHERE {{ SERVICE <{E}> {{ ?s ?p "service" }} }}', allowed)
    for query in (
        REFUSED["variable endpoint"],  # a variable is never allowed
        f"SELECT * WHERE {{ SERVICE <{E}/> {{ ?s ?p ?o }} }}",  # exact IRIs only
        f"SELECT * WHERE {{ SERVICE <{E}> {{ SERVICE <http://127.0.0.1:10/> {{ }} }} }}",
        f"SELECT * WHERE {{ SERVICE <{E}> {{ }} }} #\nservice ?x {{}}",
        "PREFIX e: <http://evil/> SELECT * WHERE { SERVICE e:sparql { } }",
        "BASE <http://127.0.0.1:9/> SELECT * WHERE { SERVICE <sparql> { } }",  # relative: refused
    ):
        with pytest.raises(FederationRefused):
            check_federation(query, allowed)


def test_large_query_is_checked_fast() -> None:
    import time

    from bibkg.sparql.lexer import check_federation

    query = "SELECT * WHERE { " + " ".join(f'?s <http://example.org/p{i}> "service {i}" .' for i in range(2000)) + " }"
    assert len(query) > 90_000
    started = time.perf_counter()
    check_federation(query)
    assert time.perf_counter() - started < 1.0


def test_unknown_prefix_message() -> None:
    from bibkg.sparql.lexer import syntax_error_message
    from bibkg.vocab import PREFIXES

    query = "SELECT * WHERE {\n  ?s a bibkg:Paper ; nope:title ?t }"
    with pytest.raises(SyntaxError) as info:
        ox.Store().query(query, prefixes=PREFIXES)
    message = syntax_error_message(str(info.value), query, PREFIXES)
    assert message.startswith("unknown prefix 'nope:' at 2:22"), message
    assert "\\u{" not in message and len(message) < 200


def test_other_syntax_errors_are_short() -> None:
    from bibkg.sparql.lexer import syntax_error_message

    query = "SELECT * WHERE { ?s ?p ?o FILTER(?o = ) }"
    with pytest.raises(SyntaxError) as info:
        ox.Store().query(query)
    message = syntax_error_message(str(info.value), query)
    assert message.startswith("syntax error at 1:") and "FILTER(?o = )" in message and len(message) < 200


def test_prefix_block_only_for_used_undeclared_prefixes() -> None:
    from bibkg.sparql.lexer import prefix_block
    from bibkg.vocab import PREFIXES

    query = (
        "PREFIX rdfs: <http://example.org/mine#> SELECT * WHERE { ?s a bibkg:Paper ; rdfs:label ?l . ?s ?p 'xsd:no' }"
    )
    assert prefix_block(query, PREFIXES) == f"PREFIX bibkg: <{PREFIXES['bibkg']}>\n"


@pytest.mark.parametrize(
    "value, needle",
    [
        ("a%b", "'%' not followed by two hex digits"),
        ("a\tb", "control character U+0009"),
        ("a\x01b", "control character U+0001"),
        ("a\x7fb", "control character U+007F"),
        ("a b", "space character"),
        ("a\ud800", "lone surrogate U+D800"),
        ('a"b', "'\"'"),
        ("", "empty"),
    ],
)
def test_parameter_values_are_validated(value: str, needle: str) -> None:
    from bibkg.sparql.catalog import Parameter, ParameterError

    with pytest.raises(ParameterError) as info:
        Parameter("person", "person").to_term(value)
    assert str(info.value).startswith("parameter 'person': ") and needle in str(info.value)


def test_literal_and_iri_parameters_are_validated() -> None:
    from bibkg.sparql.catalog import Parameter, ParameterError

    with pytest.raises(ParameterError, match=r"parameter 'q': .*lone surrogate"):
        Parameter("q", "string").to_term("x\ud800")
    with pytest.raises(ParameterError, match="parameter 'g': 'https://x/a%zz' is not a valid IRI"):
        Parameter("g", "iri").to_term("https://x/a%zz")
    assert Parameter("g", "iri").to_term("https://x/a%20b") == ox.NamedNode("https://x/a%20b")
    assert Parameter("p", "person").to_term("yaodong-yang") == ox.NamedNode(
        "https://aclanthology.org/people/yaodong-yang/"
    )


def test_non_ascii_case_does_not_shift_offsets() -> None:
    """'İ'.lower() is two characters: offsets must come from the query itself."""
    from bibkg.sparql.lexer import FederationRefused, check_federation

    allowed = [E]
    check_federation(f'SELECT * WHERE {{ ?s ?p "İİİİ" SERVICE <{E}> {{ ?s ?p "service" }} }}', allowed)
    with pytest.raises(FederationRefused):
        check_federation(
            f'SELECT * WHERE {{ ?s ?p "İİİİ" SERVICE <{E}> {{ }} FILTER(?a<?b)SERVICE#>\n <http://x/> {{ }} }}', allowed
        )


@pytest.mark.parametrize(
    "body",
    [
        "a." * 50_000,
        "a-." * 33_000,
        "<" * 100_000,
        "'''\\" * 25_000,
        "ex:" + "a." * 50_000,
        "service " * 12_000,
        '"\\' * 50_000,
        "'\\" * 50_000,
    ],
    ids=[
        "dotted-words",
        "dashed-words",
        "less-thans",
        "long-quotes",
        "dotted-local",
        "many-service",
        "escaped-double-quotes",
        "escaped-single-quotes",
    ],
)
def test_tokenizer_is_linear_on_hostile_text(body: str) -> None:
    """100 KB of text built to make a backtracking tokenizer rescan (``a.a.a.…`` took 74 s when
    the prefix of a prefixed name was tried at every word)."""
    import time

    from bibkg.sparql.lexer import FederationRefused, check_federation, prefix_block
    from bibkg.sparql.query_text import has_dataset_clause
    from bibkg.vocab import PREFIXES

    query = "SELECT * WHERE { " + body + " }"
    started = time.perf_counter()
    try:
        check_federation(query, prefixes=PREFIXES)
    except FederationRefused:
        pass
    prefix_block(query + " ", PREFIXES)  # a new text: not cached
    has_dataset_clause(query)  # the other scan every query gets ('"\\"\\…' took 39 s)
    assert time.perf_counter() - started < 5.0
