namespace PhaseTune.Runs;

/// <summary>What a <see cref="ConfigOption"/> takes: a number (or "auto"), a word, a comma-separated list, or nothing
/// (a switch that sets its keys to true or to false).</summary>
public enum OptionValue { Integer, IntegerOrAuto, Number, Word, List, SetsTrue, SetsFalse }
