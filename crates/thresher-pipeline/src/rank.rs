//! Which share of the inputs this process works on.
//!
//! Shards are numbered in discovery order and rank `r` of `n` takes every shard `i` with
//! `i % n == r`, so any number of machines can split a job without talking to each other.

/// Rank and world size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankSpec {
    /// This process's rank, `0..world_size`.
    pub rank: usize,
    /// Number of ranks.
    pub world_size: usize,
}

impl Default for RankSpec {
    fn default() -> Self {
        RankSpec {
            rank: 0,
            world_size: 1,
        }
    }
}

impl RankSpec {
    /// Rank and world size from explicit values, else from the environment of a Slurm job
    /// array (`SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`) or a
    /// Kubernetes indexed Job (`JOB_COMPLETION_INDEX`, world size from `THRESHER_WORLD_SIZE`
    /// or the explicit value), else 0 of 1.
    pub fn resolve(
        rank: Option<usize>,
        world_size: Option<usize>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<RankSpec, String> {
        let num = |k: &str| -> Result<Option<usize>, String> {
            match env(k) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{k}={v:?} is not a number")),
            }
        };
        let env_world = match num("SLURM_ARRAY_TASK_COUNT")? {
            Some(n) => Some(n),
            None => num("THRESHER_WORLD_SIZE")?,
        };
        let env_rank = match num("SLURM_ARRAY_TASK_ID")? {
            Some(id) => Some(id.saturating_sub(num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0))),
            None => num("JOB_COMPLETION_INDEX")?,
        };
        let world_size = world_size.or(env_world).unwrap_or(1);
        // Several copies of rank 0 would race on the same shards: refuse to guess.
        let rank = match rank.or(env_rank) {
            Some(r) => r,
            None if world_size > 1 => {
                return Err(format!(
                    "world size {world_size} needs a rank: --rank, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX"
                ))
            }
            None => 0,
        };
        if world_size == 0 {
            return Err("world size must be at least 1".into());
        }
        if rank >= world_size {
            return Err(format!(
                "rank {rank} is out of range for world size {world_size}"
            ));
        }
        Ok(RankSpec { rank, world_size })
    }

    /// Whether shard number `index` belongs to this rank.
    pub fn owns(&self, index: usize) -> bool {
        index % self.world_size == self.rank
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn explicit_wins_over_env() {
        let r = RankSpec::resolve(
            Some(1),
            Some(3),
            env_of(&[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
        )
        .unwrap();
        assert_eq!(
            r,
            RankSpec {
                rank: 1,
                world_size: 3
            }
        );
    }

    #[test]
    fn slurm_and_k8s() {
        let r = RankSpec::resolve(
            None,
            None,
            env_of(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_MIN", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
        )
        .unwrap();
        assert_eq!((r.rank, r.world_size), (2, 4));
        let k = RankSpec::resolve(None, Some(3), env_of(&[("JOB_COMPLETION_INDEX", "2")])).unwrap();
        assert_eq!((k.rank, k.world_size), (2, 3));
        assert!(RankSpec::resolve(None, None, env_of(&[("JOB_COMPLETION_INDEX", "2")])).is_err());
        assert!(RankSpec::resolve(Some(0), Some(0), env_of(&[])).is_err());
        assert!(RankSpec::resolve(None, Some(3), env_of(&[])).is_err());
        assert_eq!(
            RankSpec::resolve(None, None, env_of(&[])).unwrap(),
            RankSpec::default()
        );
    }

    #[test]
    fn ownership_partitions_shards() {
        let n = 3;
        for i in 0..10 {
            let owners = (0..n)
                .filter(|&r| {
                    RankSpec {
                        rank: r,
                        world_size: n,
                    }
                    .owns(i)
                })
                .count();
            assert_eq!(owners, 1);
        }
    }
}
