"""Evaluate a trained, served model and feed its failures back into the next round's recipe.

questions.py    what each eval record is asked and graded against; reading the eval set (pool split, file)
results.py      results.jsonl / failures.jsonl rows, the summary per task and topic, the output folder
feedback.py     failures.jsonl -> a new recipe (topics, request kinds, seed examples with their lineage)
phrases.py      short topic phrases and request kinds read off a failing prompt
recipe_text.py  edits of a recipe's YAML text that keep its comments and key order

The stages (`ask`, `grade`) are in synthpipe.stages.eval; the API is `synthpipe.evaluate` and
`synthpipe.feedback` (this package is not called `feedback`: a subpackage of that name would shadow the
function on `synthpipe`).
"""
