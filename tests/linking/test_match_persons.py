"""`manage.py match_persons FILE --out PAIRS`: the engine on a standalone file, and clear errors."""

import csv

import pytest
from django.core.management import CommandError, call_command

from linking.management.commands.match_persons import COLUMNS
from tests.linking.test_engine import people


def write(path, rows, columns=COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_pairs_of_a_file_are_written_best_first(tmp_path, capsys):
    rows = people(600)
    twins = [
        {
            **rows[3],
            "record_id": "jumeau-3",
            "given_name": "",
            "surname": f"{rows[3]['surname'].upper()} {rows[3]['given_name'][0]}.",
        },
        {**rows[8], "record_id": "jumeau-8", "surname": rows[8]["surname"].upper(), "phone": "06 12 34 56 78"},
    ]
    rows[8]["phone"] = "+33612345678"
    out = tmp_path / "paires.csv"
    call_command("match_persons", str(write(tmp_path / "personnes.csv", rows + twins)), out=str(out))
    with open(out, newline="", encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    assert list(pairs[0]) == ["record_id_1", "record_id_2", "score", "decision"]
    matched = {frozenset((pair["record_id_1"], pair["record_id_2"])) for pair in pairs if pair["decision"] == "match"}
    assert {frozenset(("p3", "jumeau-3")), frozenset(("p8", "jumeau-8"))} <= matched
    scores = [float(pair["score"]) for pair in pairs]
    assert scores == sorted(scores, reverse=True)
    assert all(pair["decision"] in {"match", "possible"} for pair in pairs)
    assert "602 personnes lues" in capsys.readouterr().out


def test_a_file_with_only_some_columns_is_read(tmp_path):
    out = tmp_path / "paires.csv"
    rows = [{"record_id": "1", "surname": "Dupont Jean"}, {"record_id": "2", "surname": "DUPONT J."}]
    call_command("match_persons", str(write(tmp_path / "p.csv", rows, ["record_id", "surname"])), out=str(out))
    assert out.read_text(encoding="utf-8").splitlines()[0] == "record_id_1,record_id_2,score,decision"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("given_name,surname\nJean,Dupont\n", "la colonne record_id manque"),
        ("record_id,surname,pointure\n1,Dupont,42\n", "colonnes inconnues pointure"),
        ("record_id,surname\n1,Dupont\n1,Durand\n", "ligne 3 : record_id « 1 » est déjà pris"),
        ("record_id,surname\n,Dupont\n", "ligne 2 : record_id est vide"),
    ],
)
def test_bad_files_are_refused_with_a_sentence(tmp_path, content, message):
    path = tmp_path / "mauvais.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("match_persons", str(path), out=str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_a_missing_or_non_utf8_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="fichier introuvable"):
        call_command("match_persons", str(tmp_path / "absent.csv"), out=str(tmp_path / "out.csv"))
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("record_id,surname\n1,Hélène\n".encode("latin-1"))
    with pytest.raises(CommandError, match="pas en UTF-8"):
        call_command("match_persons", str(latin), out=str(tmp_path / "out.csv"))
