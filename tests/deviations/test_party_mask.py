"""Deviation.party_mask: the parties of the party rows as one number, the trend page counts the sets by it."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count

from deviations.models import PARTY_BITS, Deviation, parties_in_mask, party_mask
from resursrad.models import Party
from tests.deviations.trends_data import PARTY_SETS, bulk_deviations
from tests.factories import report_deviation


def masks_and_rows():
    """Each deviation's stored mask beside the mask of its party rows, read from the database."""
    return [
        (deviation.party_mask, party_mask(deviation.parties))
        for deviation in Deviation.objects.prefetch_related("party_rows")
    ]


def test_every_party_has_a_bit_of_its_own():
    assert set(PARTY_BITS) == set(Party.values)
    assert sorted(PARTY_BITS.values()) == [1, 2, 4, 8]
    for parties in [["fk"], ["region", "fk"], ["af", "kommun", "fk"], list(Party.values)]:
        assert parties_in_mask(party_mask(parties)) == sorted(parties)
    # A party named twice counts once.
    assert party_mask(["fk", "fk"]) == PARTY_BITS["fk"]


@pytest.mark.django_db
def test_a_report_stores_the_mask_of_its_parties(coordinator):
    deviation = report_deviation(coordinator, parties=["region", "fk", "fk"])
    deviation.refresh_from_db()
    assert deviation.party_mask == PARTY_BITS["fk"] | PARTY_BITS["region"]
    assert parties_in_mask(deviation.party_mask) == sorted(deviation.parties) == ["fk", "region"]


@pytest.mark.django_db
def test_a_review_keeps_the_mask(coordinator, steering_member):
    deviation = report_deviation(coordinator, parties=["af", "kommun"])
    deviation.take(by=steering_member)
    deviation.mark_system_fault(by=steering_member, is_fault=True)
    deviation.refresh_from_db()
    assert deviation.status == "received"
    assert masks_and_rows() == [(PARTY_BITS["af"] | PARTY_BITS["kommun"],) * 2]


@pytest.mark.django_db
def test_deviations_inserted_in_bulk_carry_the_mask_of_their_party_rows(coordinator):
    bulk_deviations(coordinator, 40, first_day=date(2025, 7, 1))
    pairs = masks_and_rows()
    assert len(pairs) == 40
    assert all(stored == from_rows for stored, from_rows in pairs)
    assert {stored for stored, _ in pairs} == {party_mask(parties) for parties in PARTY_SETS}


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_mask_from_the_party_rows_and_goes_back(coordinator):
    before, after = ("deviations", "0004_report_indexes"), ("deviations", "0005_deviation_party_mask")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([before])
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        OldDeviation = old.get_model("deviations", "Deviation")
        OldParty = old.get_model("deviations", "DeviationParty")
        sets = {
            "AV-M-1": ["fk", "region"],
            "AV-M-2": ["kommun"],
            "AV-M-3": ["af", "fk", "kommun"],
            "AV-M-4": [],
        }
        for number, parties in sets.items():
            row = OldDeviation.objects.create(
                number=number,
                reported_by_id=coordinator.pk,
                observed_on=date(2026, 1, 1),
                category="information",
                description="Ett intyg nådde inte fram.",
                answer_due_on=date(2026, 3, 1),
            )
            OldParty.objects.bulk_create([OldParty(deviation=row, party=party) for party in parties])
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps
        stored = dict(new.get_model("deviations", "Deviation").objects.values_list("number", "party_mask"))
        assert stored == {number: party_mask(parties) for number, parties in sets.items()}
        # Backwards: the column and the covering index go, the rows stay.
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        with connection.cursor() as cursor:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, "deviations_deviation")
            ]
            indexes = connection.introspection.get_constraints(cursor, "deviations_deviation")
        assert "party_mask" not in columns
        assert "deviation_reported_at" in indexes and "deviation_overview" not in indexes
        assert OldParty.objects.values("deviation").annotate(n=Count("pk")).count() == 3
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
