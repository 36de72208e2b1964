"""`manage.py match_persons FILE --out PAIRS`: the engine on a standalone file, and clear errors."""

import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

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


def test_a_missing_or_undecodable_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="fichier introuvable"):
        call_command("match_persons", str(tmp_path / "absent.csv"), out=str(tmp_path / "out.csv"))
    undecodable = tmp_path / "illisible.csv"
    # 0x81 is neither UTF-8 here nor a Windows-1252 character.
    undecodable.write_bytes(b"record_id,surname\n1,Dupont\x81\n")
    with pytest.raises(CommandError, match="Encodage du fichier non reconnu"):
        call_command("match_persons", str(undecodable), out=str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_files_are_read_like_an_import_windows_1252_semicolons_or_a_workbook(tmp_path, capsys):
    """The shared reader of procedures/imports/tabular.py: Excel's French CSV and XLSX are read."""
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("Record ID;Surname\n1;Hélène Dupont\n2;DUPONT Hélène\n".encode("cp1252"))
    call_command("match_persons", str(latin), out=str(tmp_path / "out.csv"))
    assert "2 personnes lues" in capsys.readouterr().out

    workbook = Workbook()
    workbook.active.append(["record_id", "surname", "birth_date"])
    workbook.active.append([1, "Dupont Jean", date(1980, 5, 1)])
    workbook.active.append([2, "DUPONT J.", "01/05/1980"])
    workbook.save(tmp_path / "personnes.xlsx")
    call_command("match_persons", str(tmp_path / "personnes.xlsx"), out=str(tmp_path / "out.csv"))
    assert "2 personnes lues" in capsys.readouterr().out
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    assert {(pair["record_id_1"], pair["record_id_2"]) for pair in pairs} <= {("1", "2"), ("2", "1")}


def test_a_column_given_twice_is_refused(tmp_path):
    path = tmp_path / "double.csv"
    path.write_text("record_id,surname,Surname\n1,Dupont,Durand\n", encoding="utf-8")
    with pytest.raises(CommandError, match="la colonne surname est en double"):
        call_command("match_persons", str(path), out=str(tmp_path / "out.csv"))
