module cspbench/baseline

go 1.19
