"""What a run writes: atomic files and the feed storage (:mod:`~crawler.output.atomic`), the JSON
Lines exporter (:mod:`~crawler.output.jsonl`), manifests (:mod:`~crawler.output.manifest`, pure),
recovery after a kill (:mod:`~crawler.output.recovery`), the reject file
(:mod:`~crawler.output.rejects`), feed URI parameters (:mod:`~crawler.output.uri_params`) and the
stats dump (:mod:`~crawler.output.statsdump`)."""
