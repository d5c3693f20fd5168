using PhaseTune.Phases;
using static PhaseTune.Runs.OptionValue;

namespace PhaseTune.Runs;

/// <summary>The one table of flags that set config keys. `train`, `ablate` and `pretrain` declare their options from
/// it; every flag is also a key of the config file (`--config`, TOML or JSON, snake_case, one section per phase).</summary>
public static class ConfigOptions
{
    static ConfigOption O(string flag, OptionValue value, string path, string description = "") => new(flag, value, [path], description);

    /// <summary>Settings of every run that trains an encoder.</summary>
    public static readonly IReadOnlyList<ConfigOption> Run =
    [
        O("--preset", Word, "preset", "pretrained|scratch: the defaults to start from (default: scratch for scratch: models, else pretrained)"),
        O("--seed", Integer, "seed"),
        O("--threads", Integer, "threads", "torch CPU threads"),
        O("--precision", Word, "precision", "fp32|bf16|auto (default auto): the matrix products' precision, float32 master weights (auto: bf16 where the CPU has avx512_bf16 or amx_bf16)"),
        O("--batch-size", Integer, "batch_size"),
        O("--no-group-by-length", SetsFalse, "group_by_length", "plain shuffled DAE and contrastive batches (default: batches of similar lengths, less padding)"),
        O("--max-length", IntegerOrAuto, "max_length", "tokens per text, or auto: 1.2 × the longest training text, capped at the model's maximum"),
        O("--pooling", Word, "pooling", "cls|mean|max"),
        O("--label-levels", Word, "label_levels", "separator of hierarchical labels, e.g. /"),
        O("--dae-epochs", Integer, "dae.epochs"),
        O("--cl-epochs", Integer, "cl.epochs"),
        O("--ft-epochs", Integer, "ft.max_epochs", "maximum fine-tuning epochs"),
        O("--joint-epochs", Integer, "joint.epochs"),
        O("--patience", Integer, "ft.patience"),
        O("--min-epochs", Integer, "ft.min_epochs", "fine-tuning epochs before early stopping may stop"),
        O("--deletion-ratio", Number, "dae.deletion_ratio", "fraction of words deleted (DAE)"),
        O("--cl-aug", Integer, "cl.aug"),
        O("--imbalance", Word, "cl.imbalance", "normal|extra|none"),
        O("--cl-projection", Word, "cl.projection", "none|linear"),
        O("--lr-dae", Number, "dae.lr"),
        O("--lr-cl", Number, "cl.lr"),
        O("--lr-ft", Number, "ft.lr"),
        O("--lr-head", Number, "ft.lr_head"),
        O("--lr-joint", Number, "joint.lr"),
        O("--untie-decoder", SetsFalse, "dae.tie_decoder"),
        O("--head-activation", Word, "ft.head_activation", "relu|gelu|tanh|none"),
        O("--head-hidden", Numbers, "ft.head_hidden", "the classifier head's hidden layer sizes, e.g. 10 (default 100; empty: one linear layer)"),
        O("--head-dropout", Numbers, "ft.head_dropout", "dropout on each head layer's input, one rate per linear layer, e.g. 0.9,0 (default 0.3,0.3)"),
        O("--lr-head-layers", Numbers, "ft.lr_head_layers", "a learning rate per head linear layer, e.g. 0.01,0.009 (default: --lr-head for all)"),
        O("--eta-min", Number, "ft.eta_min", "the cosine schedule's floor learning rate (fine-tuning)"),
        O("--t-max", Number, "ft.t_max", "the cosine schedule's half period in epochs, stepped per epoch (fine-tuning; default: the whole run, per step)"),
        O("--eval-train", SetsTrue, "eval_train", "also score the training set (metrics.json's train)"),
        O("--freeze-encoder", SetsTrue, "ft.freeze_encoder"),
        O("--class-weights", SetsTrue, "ft.class_weights"),
        O("--metric", Word, "ft.metric", "accuracy|macro_f1 (early stopping)"),
        O("--joint-mode", Word, "joint.mode", "sum|alternate"),
        O("--llrd", Number, "ft.llrd", "layer-wise learning-rate decay factor (fine-tuning)"),
        O("--warmup-ratio", Number, "ft.warmup_ratio", "fine-tuning warmup fraction"),
        O("--schedule", Word, "ft.schedule", "linear|cosine|constant (fine-tuning)"),
        O("--optimizer", Word, "ft.optimizer", "adamw|sgd (fine-tuning)"),
        O("--momentum", Number, "ft.momentum", "SGD momentum"),
        O("--weight-decay", Number, "weight_decay", "AdamW weight decay of every phase without its own"),
        O("--batch-size-dae", Integer, "dae.batch_size"),
        O("--batch-size-cl", Integer, "cl.batch_size"),
        O("--batch-size-ft", Integer, "ft.batch_size"),
        O("--warmup-dae", Number, "dae.warmup_ratio", "DAE warmup fraction"),
        O("--warmup-cl", Number, "cl.warmup_ratio", "contrastive warmup fraction"),
        O("--schedule-dae", Word, "dae.schedule", "linear|cosine|constant"),
        O("--schedule-cl", Word, "cl.schedule", "linear|cosine|constant"),
        O("--eps-dae", Number, "dae.eps", "AdamW epsilon (DAE)"),
        O("--eps-cl", Number, "cl.eps", "AdamW epsilon (contrastive)"),
        O("--eps-ft", Number, "ft.eps", "AdamW epsilon (fine-tuning)"),
        O("--weight-decay-dae", Number, "dae.weight_decay"),
        O("--weight-decay-cl", Number, "cl.weight_decay"),
        O("--weight-decay-ft", Number, "ft.weight_decay"),
        O("--no-select-best", SetsFalse, "select_best", "keep the MLM, DAE and contrastive phases' last weights instead of their best on dev"),
        O("--select-checks", Integer, "select_checks", "dev checks per epoch of the MLM, DAE and contrastive phases"),
        O("--dropout", Number, "dropout", "the encoder's hidden and attention dropout (default: the model's config)"),
        O("--pretrain-epochs", Integer, "pretrain.epochs", "epochs of an embedding objective phase (supcon, simclr, simcse, ...)"),
        O("--lr-pretrain", Number, "pretrain.lr"),
        O("--batch-size-pretrain", Integer, "pretrain.batch_size"),
        O("--warmup-pretrain", Number, "pretrain.warmup_ratio", "warmup fraction of an embedding objective phase"),
        O("--schedule-pretrain", Word, "pretrain.schedule", "linear|cosine|constant"),
        O("--eta-min-pretrain", Number, "pretrain.eta_min"),
        O("--t-max-pretrain", Number, "pretrain.t_max", "epochs"),
        O("--pretrain-optimizer", Word, "pretrain.optimizer", "adamw|sgd (embedding objective phase)"),
        O("--pretrain-momentum", Number, "pretrain.momentum", "SGD momentum (embedding objective phase)"),
        O("--pretrain-llrd", Number, "pretrain.llrd", "layer-wise learning-rate decay factor (embedding objective phase)"),
        O("--weight-decay-pretrain", Number, "pretrain.weight_decay"),
        O("--projection", Numbers, "pretrain.projection", "supcon/simclr projection head sizes, e.g. 128 (default: none)"),
        O("--view-dropout", Number, "pretrain.view_dropout", "supcon/simclr: dropout on each view's sentence vector"),
        O("--loss-reduction", Word, "pretrain.reduction", "supcon/simclr: mean|sum over anchors"),
        O("--noise-ratio", Number, "pretrain.noise_ratio", "simclr: fraction of words deleted per view (0: dropout only)"),
        O("--mlm-epochs", Integer, "mlm.epochs"),
        O("--mlm-max-steps", Integer, "mlm.max_steps", "stop the MLM phase after N optimiser steps (its schedule spans them)"),
        O("--lr-mlm", Number, "mlm.lr"),
        O("--mask-probability", Number, "mlm.mask_probability", "fraction of tokens (or words) the MLM phase predicts"),
        O("--whole-word-mask", SetsTrue, "mlm.whole_word_mask", "mask every piece of a chosen word"),
        O("--block-size", Integer, "mlm.block_size", "pack the MLM texts into blocks of N tokens"),
        O("--pack-whole-texts", SetsTrue, "mlm.pack_whole_texts", "with --block-size: start a new block rather than cut a text across two"),
        O("--batch-size-mlm", Integer, "mlm.batch_size"),
        O("--warmup-mlm", Number, "mlm.warmup_ratio", "MLM warmup fraction"),
        O("--eps-mlm", Number, "mlm.eps"),
        O("--weight-decay-mlm", Number, "mlm.weight_decay"),
    ];

    /// <summary>`train`'s phase sequence.</summary>
    public static readonly ConfigOption Phases = O("--phases", List, "phases",
        string.Join(" | ", PhaseKinds.ClassifierRecipes.Select(PhaseKinds.Names)) + $" (default {PhaseKinds.Names(new TrainConfig().Phases)})");

    /// <summary>`pretrain`'s objective (its one phase) and the settings it shares between DAE and the embedding objectives.</summary>
    public static readonly IReadOnlyList<ConfigOption> Pretrain =
    [
        new("--objective", List, ["phases"], string.Join("|", PhaseKinds.PretrainObjectives.Select(k => k.Name())), Required: true),
        new("--epochs", Integer, ["dae.epochs", "mlm.epochs", "pretrain.epochs"]),
        new("--lr", Number, ["dae.lr", "mlm.lr", "pretrain.lr"]),
        O("--temperature", Number, "pretrain.temperature"),
        O("--positive-label", Word, "pretrain.positive_label", "label of positive pairs for mnrl on pair data (default 1)"),
    ];
}
