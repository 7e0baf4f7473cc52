"""Discovery: similar papers, the 2-D paper map and its regions, "surprise me".

`compute_discovery` is the job (run by `manage.py compute_discovery` or the Celery task
after an import): TF-IDF over title (counted twice), keywords, TL;DR and abstract;
exact cosine similarity gives each paper its five nearest papers; the map is t-SNE of a
100-dimensional LSA projection. t-SNE costs grow fast, so above MAP_SAMPLE papers it is
fitted on a random sample and every other paper is placed among its nearest sampled
neighbours: 20,000 papers stay well under two minutes on two cores. Regions are k-means
clusters of the map, named by their heaviest terms. Results are written in one
transaction, so pages see the old or the new computation, never half of one.
"""

import json
import logging
import math
import secrets
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from posters.models import DiscoveryRun, Paper, PaperKeyword, PaperMapPoint, SimilarPaper
from posters.search import apply_search, parse_query

logger = logging.getLogger(__name__)

SIMILAR = 5
MAP_SAMPLE = 1500
LSA_DIMENSIONS = 100
CHUNK = 1000
MAX_SEARCH_MATCHES = 5000
SEED = 20200426


def _documents():
    papers = list(Paper.objects.order_by("id").values_list("id", "uid", "title", "tldr", "abstract"))
    keywords = {}
    for paper_id, name in PaperKeyword.objects.order_by("paper_id", "position").values_list(
        "paper_id", "keyword__name"
    ):
        keywords.setdefault(paper_id, []).append(name)
    docs = [
        " ".join([title, title, " ".join(keywords.get(pid, [])), tldr or "", abstract or ""])
        for pid, _uid, title, tldr, abstract in papers
    ]
    return [p[0] for p in papers], docs


def _tfidf(docs):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    many = len(docs) >= 200
    vectorizer = TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        min_df=2 if many else 1,
        max_df=0.5 if many else 1.0,
        ngram_range=(1, 2),
        max_features=200_000,
        dtype=np.float32,
        token_pattern=r"(?u)\b[^\W\d_][\w-]*[^\W_]\b",  # noqa: S106  (a regex, not a password)
    )
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # empty vocabulary: every document is stop words or nothing
        return None, None
    return matrix, vectorizer.get_feature_names_out()


def _nearest(matrix, k):
    """For each row, the k most cosine-similar other rows: (indices, scores)."""
    import numpy as np

    n = matrix.shape[0]
    k = min(k, n - 1)
    indices = np.zeros((n, max(k, 0)), dtype=np.int64)
    scores = np.zeros((n, max(k, 0)), dtype=np.float32)
    if k <= 0:
        return indices, scores
    transposed = matrix.T.tocsr()
    for start in range(0, n, CHUNK):
        block = (matrix[start : start + CHUNK] @ transposed).toarray()
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -1.0  # a paper is not similar to itself
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -top_scores), axis=1)  # by score, then by index for ties
        indices[start : start + CHUNK] = np.take_along_axis(top, order, axis=1)
        scores[start : start + CHUNK] = np.take_along_axis(top_scores, order, axis=1)
    return indices, scores


def _lsa(matrix):
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    n, features = matrix.shape
    dimensions = min(LSA_DIMENSIONS, n - 1, features - 1)
    if dimensions < 2:
        return np.asarray(matrix.toarray(), dtype=np.float32)
    reduced = TruncatedSVD(n_components=dimensions, random_state=SEED).fit_transform(matrix)
    return normalize(reduced).astype(np.float32)


def _tsne(points):
    from sklearn.manifold import TSNE

    n = points.shape[0]
    perplexity = max(2.0, min(30.0, (n - 1) / 3))
    return TSNE(
        n_components=2, perplexity=perplexity, init="pca", max_iter=500, random_state=SEED, angle=0.6
    ).fit_transform(points)


def _project(points):
    """2-D coordinates in [0, 1] for the rows of `points` (LSA vectors)."""
    import numpy as np

    n = points.shape[0]
    if n == 1:
        return np.array([[0.5, 0.5]])
    if n < 5:  # too few for t-SNE: spread them out along their main direction
        coords = np.column_stack([np.linspace(0, 1, n), np.full(n, 0.5)])
        return coords
    if n <= MAP_SAMPLE:
        coords = _tsne(points)
    else:
        rng = np.random.default_rng(SEED)
        sample = np.sort(rng.choice(n, MAP_SAMPLE, replace=False))
        sample_coords = _tsne(points[sample])
        coords = np.zeros((n, 2))
        coords[sample] = sample_coords
        rest = np.setdiff1d(np.arange(n), sample)
        spread = np.ptp(sample_coords, axis=0).max() / 400
        for start in range(0, len(rest), CHUNK):
            ids = rest[start : start + CHUNK]
            sims = points[ids] @ points[sample].T
            near = np.argpartition(-sims, 7, axis=1)[:, :8]
            weights = np.maximum(np.take_along_axis(sims, near, axis=1), 1e-3) ** 4
            placed = (sample_coords[near] * weights[:, :, None]).sum(axis=1) / weights.sum(axis=1)[:, None]
            coords[ids] = placed + rng.normal(scale=spread, size=placed.shape)
    low, high = coords.min(axis=0), coords.max(axis=0)
    return (coords - low) / np.where(high - low > 0, high - low, 1)


def _regions(coords, matrix, terms):
    """k-means regions of the map, each named by its three heaviest terms."""
    import numpy as np
    from sklearn.cluster import KMeans

    n = coords.shape[0]
    count = max(1, min(40, round(math.sqrt(n / 3))))
    if n <= count:
        labels = np.zeros(n, dtype=int)
        count = 1
    else:
        labels = KMeans(n_clusters=count, n_init=3, random_state=SEED).fit_predict(coords)
    # Number regions left to right, top to bottom, so the list reads like the map.
    centres = np.array([coords[labels == r].mean(axis=0) for r in range(count)])
    order = sorted(range(count), key=lambda r: (round(centres[r][1] * 4), centres[r][0]))
    renumber = {old: new for new, old in enumerate(order)}
    labels = np.array([renumber[label] for label in labels])
    regions = []
    for number in range(count):
        members = np.flatnonzero(labels == number)
        weights = np.asarray(matrix[members].mean(axis=0)).ravel() if matrix is not None else np.array([])
        top = [str(terms[i]) for i in np.argsort(-weights)[:3] if weights[i] > 0] if weights.size else []
        centre = coords[members].mean(axis=0)
        regions.append(
            {
                "label": ", ".join(top) or f"region {number + 1}",
                "x": round(float(centre[0]), 4),
                "y": round(float(centre[1]), 4),
                "size": len(members),
            }
        )
    return labels, regions


def compute_discovery(similar=SIMILAR):
    """Compute and store similar papers, map coordinates and regions; returns the DiscoveryRun."""
    import numpy as np

    started = time.perf_counter()
    ids, docs = _documents()
    matrix, terms = _tfidf(docs) if docs else (None, None)
    n = len(ids)
    links, points, regions = [], [], []
    if n and matrix is not None:
        indices, scores = _nearest(matrix, similar)
        links = [
            SimilarPaper(paper_id=ids[i], similar_id=ids[int(j)], position=position, score=float(score))
            for i in range(n)
            for position, (j, score) in enumerate(zip(indices[i], scores[i], strict=True))
            if score > 0
        ]
        coords = _project(_lsa(matrix))
        labels, regions = _regions(coords, matrix, terms)
    elif n:
        coords = np.column_stack([np.linspace(0, 1, n), np.full(n, 0.5)]) if n > 1 else np.array([[0.5, 0.5]])
        labels, regions = _regions(coords, None, None)
    if n:
        points = [
            PaperMapPoint(paper_id=ids[i], x=float(coords[i][0]), y=float(coords[i][1]), region=int(labels[i]))
            for i in range(n)
        ]
    with transaction.atomic():
        SimilarPaper.objects.all().delete()
        PaperMapPoint.objects.all().delete()
        SimilarPaper.objects.bulk_create(links, batch_size=5000)
        PaperMapPoint.objects.bulk_create(points, batch_size=5000)
        run = DiscoveryRun.objects.create(
            finished_at=timezone.now(),
            paper_count=n,
            seconds=round(time.perf_counter() - started, 2),
            method=f"TF-IDF cosine (top {similar}); LSA {LSA_DIMENSIONS}-d + t-SNE map; k-means regions",
            regions=regions,
        )
        DiscoveryRun.objects.exclude(pk=run.pk).delete()
    logger.info("discovery: %s papers in %.1f s", n, run.seconds)
    return run


def latest_run():
    return DiscoveryRun.objects.order_by("-finished_at", "-id").first()


def map_json():
    """The map's JSON (points and regions), cached per discovery run."""
    run = latest_run()
    key = f"posters:map-json:{run.pk if run else 0}"
    body = cache.get(key)
    if body is None:
        rows = PaperMapPoint.objects.order_by("paper_id").values_list("paper__uid", "paper__title", "x", "y", "region")
        body = json.dumps(
            {
                "computed_at": run.finished_at.isoformat() if run else None,
                "regions": run.regions if run else [],
                "points": [[uid, title[:160], round(x, 4), round(y, 4), region] for uid, title, x, y, region in rows],
            },
            separators=(",", ":"),
        )
        cache.set(key, body, 3600)
    return body


def region_papers(region):
    return list(
        Paper.objects.filter(map_point__region=region)
        .order_by("map_point__y", "map_point__x")
        .only("uid", "title")[:2000]
    )


def search_uids(raw):
    parsed = parse_query(raw)
    if not parsed:
        return []
    matches = apply_search(Paper.objects.all(), parsed, highlight=False)
    return list(matches.order_by("-rank", "id").values_list("uid", flat=True)[:MAX_SEARCH_MATCHES])


def random_paper_uid():
    count = Paper.objects.count()
    if not count:
        return None
    return Paper.objects.order_by("id").values_list("uid", flat=True)[secrets.randbelow(count)]
