namespace PhaseTune.Runs;

/// <summary>What a <see cref="ConfigOption"/> takes: a number (or "auto"), a word, a comma-separated list of words or
/// of numbers (an empty value is the empty list), or nothing (a switch that sets its keys to true or to false).</summary>
public enum OptionValue { Integer, IntegerOrAuto, Number, Word, List, Numbers, SetsTrue, SetsFalse }
