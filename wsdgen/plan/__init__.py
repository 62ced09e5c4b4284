"""Stage 4: one PagePlan per output file, with what each page shows (views, the
knowledge overview)."""
