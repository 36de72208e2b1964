"""Import of procedures from a spreadsheet (CSV or XLSX) into one case.

The file: UTF-8 (with or without BOM) or Windows-1252, `;` or `,` separated, or an XLSX workbook
(first sheet). One header row; columns are found by name, case and accents ignored, in French or
English (FIELD_ALIASES); other columns are listed as ignored. Cells:
- parquet: its code (« N° TJ », or PNAT, JUNALCO…) or its name (« Parquet de Dunkerque », « Dunkerque »);
- numéro de parquet: free text, identity ignores case and spacing (normalise_parquet_reference);
- ouverte le: JJ/MM/AAAA or AAAA-MM-JJ (or a date cell);
- infractions: `|`-separated, each a NATINF number, an article (« 225-7 », « art. 227-23 ») or a label;
  an article shared by several offences of the catalogue must be given by its label or NATINF;
- plateforme: the case's platform (a procedure belongs to the case of its platform);
- victimes: `|`-separated pseudonym keys of the case (« V-001 »), matched or created by key.
  MINOR FLAG: a key ending in `*` (« V-001* ») is a victim minor at the time of the facts;
  « (mineure) » / « (mineur) » after the key is read the same way. No flag = nothing said: an
  existing victim keeps what its record says, a new one is created with minority unknown;
- mis en cause: `|`-separated suspects, each a name or pseudonym optionally followed by identifiers
  in square brackets separated by `;`: « Julien Fictif-Martin [courriel:j.fm@example.fr; +33 6 12 34
  56 78; compte:julien75] ». An identifier is `kind:value` (account/compte, email/courriel,
  phone/tel/téléphone, ip, national/id/identifiant) or a bare value whose kind is recognised
  (cases/identifiers.py). Suspects are matched within the case by name (case and spacing ignored)
  or created; an existing suspect's new identifiers are added, never removed. Canonical header
  `mis_en_cause`; aliases mis_en_causes, suspects, suspect, auteur, auteurs;
- stade, issue: the key or the French label (« Enquête », « Classement sans suite »…).
A column present with an empty cell means « none / default » (the file is the truth for the columns
it has); a column absent from the file leaves that field of an existing procedure as it is.

Rows are validated one by one: a rejected row (with its line number and reason) never stops the
valid ones. Procedures are matched by (parquet, normalised reference) within the association; a
row identical to the stored procedure is left alone (no write, no history row), so importing the
same file twice changes nothing. Victims and suspects of the whole file are resolved (matched or
created) in a prelude; once it has committed, an applied import sends the signal
import_persons_written (signals.py) with the ids of the persons it created or completed. Writing
is done by chunks (CHUNK_SIZE rows), each in one transaction together with the job's progress: an
interrupted job resumes after the last committed chunk, and the upsert keys make a chunk run twice
harmless.

Limits (limits.py, each a setting): the file's size, its data rows and columns, and for a workbook
what its zip and XML may expand to, checked before anything is parsed (xlsx.py). A dry run of more
than SYNC_MAX_ROWS rows is a background job like an apply.

Modules:
- limits: what a file may cost (each limit a setting);
- xlsx: the workbook's checks before parsing, and its first sheet's rows;
- tabular: the one reader of CSV and XLSX tables (encoding, separator, rows, header normalisation),
  also used by linking's `match_persons` command;
- reading: the import's columns and their aliases, the header mapped, the quick look at an upload;
- validation: row by row, each cell resolved against the reference data;
- suspects: the « mis en cause » column's grammar, read and written back (for the export);
- persons: the victims and suspects the file names, resolved once for the whole file (the prelude);
- planning: what each row would do against what is stored (create, update, unchanged);
- writing: the run (prelude, then chunks by threads) and each chunk's statements;
- sql: the statements sent as they are (arrays bound server-side, conditional job updates);
- jobs: the job's life (create, claim, run, apply, resume);
- signals: what an applied import tells other apps;
- tasks: the Celery task (« procedures.run_import ») and its queuing;
- views, urls: the upload page, the dry-run report and the job's progress;
- api: the API's import endpoints (/api/v1/imports/).
The package's names below are the services; views, urls, tasks and api are imported by their
module path only (config/urls.py, config/api_urls.py, CELERY_IMPORTS).
"""

from . import limits
from .jobs import (
    import_job_apply,
    import_job_claim,
    import_job_create,
    import_job_execute,
    import_job_resume,
    import_job_run,
    import_job_runs_in_background,
)
from .limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, SYNC_MAX_ROWS, ImportFileError
from .planning import SAMPLES_KEPT
from .reading import (
    COLUMNS,
    FIELD_ALIASES,
    FIELD_LABELS,
    LIST_SEPARATOR,
    MINOR_SUFFIX,
    REQUIRED_FIELDS,
    SourceFile,
    inspect_source,
    map_headers,
    read_source,
)
from .sql import JobTakenOver
from .suspects import SuspectEntry, format_suspect, parse_suspects
from .tabular import FORMULA_TRIGGERS, Table, decode_text, detect_format, read_table, unescape_formula
from .validation import PSEUDONYM_KEY, Catalogue, Rejection, Row, parse_date, parse_victims, validate_rows
from .writing import CHUNK_SIZE, WRITE_THREADS, Importer

__all__ = [
    "CHUNK_SIZE",
    "COLUMNS",
    "FIELD_ALIASES",
    "FIELD_LABELS",
    "FORMULA_TRIGGERS",
    "LIST_SEPARATOR",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MINOR_SUFFIX",
    "PSEUDONYM_KEY",
    "REQUIRED_FIELDS",
    "SAMPLES_KEPT",
    "SYNC_MAX_ROWS",
    "WRITE_THREADS",
    "Catalogue",
    "ImportFileError",
    "Importer",
    "JobTakenOver",
    "Rejection",
    "Row",
    "SourceFile",
    "SuspectEntry",
    "Table",
    "decode_text",
    "detect_format",
    "format_suspect",
    "import_job_apply",
    "import_job_claim",
    "import_job_create",
    "import_job_execute",
    "import_job_resume",
    "import_job_run",
    "import_job_runs_in_background",
    "inspect_source",
    "limits",
    "map_headers",
    "parse_date",
    "parse_suspects",
    "parse_victims",
    "read_source",
    "read_table",
    "unescape_formula",
    "validate_rows",
]
