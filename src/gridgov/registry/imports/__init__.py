"""Spreadsheet imports of the register: buildings, households, residents, organisations
and people's roles, from the CSV and XLSX files a district office already keeps.

One documented column template per kind (``TEMPLATES``): each column has an English
key, a Chinese header (the one templates carry), more Chinese headers accepted as
aliases, and an English header. Enumerated columns accept the Chinese words an office
types (男/女, 户主, 党支部, 网格员...) as well as the English values.

An import is all or nothing. Every row is checked first, against the other rows of
the file and against the database; the ``ImportReport`` lists every problem as (row as
the spreadsheet shows it, column header as in the file, the value, the reason), with ID
numbers and phones masked. Only a file without problems is written, in the caller's
transaction, with one ``registry.imported`` audit row. ``dry_run`` checks and writes
nothing.

Messages are English catalogue ids with ``%(name)s`` placeholders, carried by
``Problem``s so ``make messages`` extracts them.

The package's modules: ``vocabulary`` (kinds and words), ``templates`` (columns),
``readers`` (files to tables), ``checks`` (pure row checks), ``report``, ``context``
(what the checkers share), one checker per kind (``buildings``, ``households``,
``residents``, ``organisations``, ``roles``), ``engine`` (the import) and ``workbooks``
(templates and reports as XLSX/CSV). This module keeps the public names.
"""

from __future__ import annotations

from gridgov.registry.imports.checks import (
    BuildingInput as BuildingInput,
)
from gridgov.registry.imports.checks import (
    HouseholdInput as HouseholdInput,
)
from gridgov.registry.imports.checks import (
    OrganisationInput as OrganisationInput,
)
from gridgov.registry.imports.checks import (
    RoleInput as RoleInput,
)
from gridgov.registry.imports.checks import (
    building_problems as building_problems,
)
from gridgov.registry.imports.checks import (
    code_problems as code_problems,
)
from gridgov.registry.imports.checks import (
    credit_code_problem as credit_code_problem,
)
from gridgov.registry.imports.checks import (
    household_problems as household_problems,
)
from gridgov.registry.imports.checks import (
    organisation_problems as organisation_problems,
)
from gridgov.registry.imports.checks import (
    parse_date as parse_date,
)
from gridgov.registry.imports.checks import (
    point_problems as point_problems,
)
from gridgov.registry.imports.checks import (
    role_problems as role_problems,
)
from gridgov.registry.imports.context import (
    Writer as Writer,
)
from gridgov.registry.imports.engine import (
    do_import as do_import,
)
from gridgov.registry.imports.engine import (
    import_table as import_table,
)
from gridgov.registry.imports.readers import (
    Table as Table,
)
from gridgov.registry.imports.readers import (
    read_table as read_table,
)
from gridgov.registry.imports.report import (
    ImportReport as ImportReport,
)
from gridgov.registry.imports.report import (
    RowProblem as RowProblem,
)
from gridgov.registry.imports.templates import (
    TEMPLATES as TEMPLATES,
)
from gridgov.registry.imports.templates import (
    Column as Column,
)
from gridgov.registry.imports.templates import (
    accepted_headers as accepted_headers,
)
from gridgov.registry.imports.templates import (
    normalise_header as normalise_header,
)
from gridgov.registry.imports.vocabulary import (
    ACTION as ACTION,
)
from gridgov.registry.imports.vocabulary import (
    BATCH as BATCH,
)
from gridgov.registry.imports.vocabulary import (
    DOC_TYPE_WORDS as DOC_TYPE_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    FALSE_WORDS as FALSE_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    GRID_LEVELS as GRID_LEVELS,
)
from gridgov.registry.imports.vocabulary import (
    IMPORT_ROLES as IMPORT_ROLES,
)
from gridgov.registry.imports.vocabulary import (
    MASKED as MASKED,
)
from gridgov.registry.imports.vocabulary import (
    NATIONALITY_WORDS as NATIONALITY_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    ORG_KIND_WORDS as ORG_KIND_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    RELATION_WORDS as RELATION_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    ROLE_WORDS as ROLE_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    SEX_WORDS as SEX_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    SHEET_NAMES as SHEET_NAMES,
)
from gridgov.registry.imports.vocabulary import (
    TAG_WORDS as TAG_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    TRUE_WORDS as TRUE_WORDS,
)
from gridgov.registry.imports.vocabulary import (
    Kind as Kind,
)
from gridgov.registry.imports.vocabulary import (
    ProgressCallback as ProgressCallback,
)
from gridgov.registry.imports.vocabulary import (
    label_of as label_of,
)
from gridgov.registry.imports.workbooks import (
    HEADER_FILL as HEADER_FILL,
)
from gridgov.registry.imports.workbooks import (
    HEADER_FONT as HEADER_FONT,
)
from gridgov.registry.imports.workbooks import (
    REQUIRED_FILL as REQUIRED_FILL,
)
from gridgov.registry.imports.workbooks import (
    TEMPLATE_ROWS as TEMPLATE_ROWS,
)
from gridgov.registry.imports.workbooks import (
    display_width as display_width,
)
from gridgov.registry.imports.workbooks import (
    first_sheet as first_sheet,
)
from gridgov.registry.imports.workbooks import (
    format_sheet as format_sheet,
)
from gridgov.registry.imports.workbooks import (
    report_xlsx as report_xlsx,
)
from gridgov.registry.imports.workbooks import (
    template_csv as template_csv,
)
from gridgov.registry.imports.workbooks import (
    template_xlsx as template_xlsx,
)
from gridgov.registry.imports.workbooks import (
    workbook_bytes as workbook_bytes,
)
